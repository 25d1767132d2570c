"""A melding's data key: fields open only with their own melding's key and name, and
a key sealed or wrapped for one service opens only there."""

from __future__ import annotations

import base64
import secrets

import pytest

from shared.datakeys import DataKey, KeyringError, ServiceKeys, is_encrypted, seal_to


def service_keys() -> ServiceKeys:
    return ServiceKeys(base64.b64encode(secrets.token_bytes(32)).decode())


def test_a_field_round_trips_and_holds_no_plaintext() -> None:
    key = DataKey.generate("m-1")
    ciphertext = key.encrypt("description", "Wethouder Jansen nam een fiets aan")
    assert is_encrypted(ciphertext)
    assert "Jansen" not in ciphertext
    assert key.decrypt("description", ciphertext) == "Wethouder Jansen nam een fiets aan"


def test_the_same_text_encrypts_differently_each_time() -> None:
    key = DataKey.generate("m-1")
    assert key.encrypt("description", "x") != key.encrypt("description", "x")


def test_a_field_does_not_open_under_another_melding_or_field_name() -> None:
    key = DataKey.generate("m-1")
    ciphertext = key.encrypt("description", "geheim")
    with pytest.raises(KeyringError):
        DataKey("m-2", key.secret).decrypt("description", ciphertext)
    with pytest.raises(KeyringError):
        key.decrypt("involved", ciphertext)
    with pytest.raises(KeyringError):
        DataKey.generate("m-1").decrypt("description", ciphertext)


def test_altered_or_plain_text_is_refused() -> None:
    key = DataKey.generate("m-1")
    ciphertext = key.encrypt("description", "geheim")
    flipped = ciphertext[:-2] + ("A" if ciphertext[-2] != "A" else "B") + ciphertext[-1]
    for bad in (flipped, "geheim", "mk1:not base64!"):
        with pytest.raises(KeyringError):
            key.decrypt("description", bad)


def test_a_data_key_shows_no_byte_of_itself() -> None:
    key = DataKey.generate("m-1")
    assert repr(key) == "DataKey(melding_id='m-1')"
    assert key.secret.hex() not in repr(key)


def test_a_wrapped_key_opens_only_with_its_service_and_melding() -> None:
    mine, other = service_keys(), service_keys()
    key = DataKey.generate("m-1")
    wrapped = mine.wrap(key)
    assert key.secret not in wrapped
    assert mine.unwrap("m-1", wrapped).secret == key.secret
    with pytest.raises(KeyringError):
        other.unwrap("m-1", wrapped)
    with pytest.raises(KeyringError):
        mine.unwrap("m-2", wrapped)


def test_a_sealed_key_opens_only_at_its_service_and_for_its_melding() -> None:
    triage, reporting = service_keys(), service_keys()
    key = DataKey.generate("m-1")
    sealed = seal_to(triage.public_key, key)
    assert triage.open_sealed("m-1", sealed).secret == key.secret
    with pytest.raises(KeyringError):
        reporting.open_sealed("m-1", sealed)
    with pytest.raises(KeyringError):
        triage.open_sealed("m-2", sealed)


def test_one_secret_gives_the_same_keys_every_time() -> None:
    secret = base64.b64encode(secrets.token_bytes(32)).decode()
    key = DataKey.generate("m-1")
    assert ServiceKeys(secret).public_key == ServiceKeys(secret).public_key
    assert ServiceKeys(secret).unwrap("m-1", ServiceKeys(secret).wrap(key)).secret == key.secret
