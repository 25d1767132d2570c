"""The keyring's secrets for a deployment fit together, and production without them
stops naming them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from shared.config import ConfigurationError, Settings
from shared.datakeys import DataKey, ServiceKeys, seal_to
from shared.keyring import public_keys_of
from shared.messaging import deploysecrets


def production(**settings: object) -> Settings:
    return Settings(env="production", jwks_url="https://idp.example.org/jwks",
                    cipher_key=SecretStr("k"), receipt_key=SecretStr("r"),
                    **settings)  # type: ignore[arg-type]


def test_the_deployments_keyring_keys_fit_together(tmp_path: Path) -> None:
    deploysecrets.write(tmp_path, "MELDINGEN")
    intake = production(keyring_key_file=tmp_path / "keyring_key_intake",
                        keyring_public_keys_file=tmp_path / "keyring_public_keys")
    triage = production(keyring_key_file=tmp_path / "keyring_key_triage")
    # What intake seals to triage's public key, triage's own secret opens.
    key = DataKey.generate("m-1")
    sealed = seal_to(public_keys_of(intake)["triage"], key)
    triage_keys = ServiceKeys(triage.keyring_secret_of("triage"))
    assert triage_keys.open_sealed("m-1", sealed).secret == key.secret
    assert len(set(public_keys_of(intake).values())) == 5
    # The public-key file names no secret.
    listed = (tmp_path / "keyring_public_keys").read_text()
    assert not any(p.read_text().strip() in listed for p in tmp_path.glob("keyring_key_*"))


def test_production_without_the_keyring_keys_stops_with_their_names() -> None:
    settings = production()
    with pytest.raises(ConfigurationError, match="MELDINGEN_KEYRING_KEY"):
        settings.keyring_secret_of("intake")
    with pytest.raises(ConfigurationError, match="MELDINGEN_KEYRING_PUBLIC_KEYS"):
        public_keys_of(settings)
