"""Signing and admission without NATS: what the relay signs, the inbox admits, and
why it refuses the rest; key rotation; the parsing of configured public keys."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from pydantic import SecretStr

from bench.signing import envelopes, measure
from shared.config import ConfigurationError, Settings
from shared.messaging import deploysecrets
from shared.messaging.admission import Admitted, Refused, admit
from shared.messaging.credentials import public_key
from shared.messaging.signing import (
    HEADER,
    EventSigner,
    EventVerifier,
    parse_public_keys,
    signer_for,
    verifier_for,
)


def signer() -> EventSigner:
    return EventSigner(base64.b64encode(secrets.token_bytes(32)).decode())


def test_a_signed_event_from_its_source_after_the_last_position_is_admitted() -> None:
    intake = signer()
    verifier = EventVerifier({"intake": [intake.public_key]})
    [envelope] = envelopes(1)
    payload = envelope.encode()
    verdict = admit(envelope.subject, {HEADER: intake.sign(payload)}, payload, verifier,
                    lambda source: 0)
    assert isinstance(verdict, Admitted)
    assert verdict.event.type == "melding_received"


@pytest.mark.parametrize(("change", "reason"), [
    ("no header", "unsigned"),
    ("garbage", "unreadable"),
    ("other key", "bad signature"),
    ("not base64", "bad signature"),
    ("tampered", "bad signature"),
    ("other subject", "subject does not match the envelope's source and type"),
    ("unknown source", "unknown source"),
    ("replayed", "replayed or out of order"),
])
def test_what_does_not_check_out_is_refused_with_its_reason(change: str, reason: str) -> None:
    intake = signer()
    verifier = EventVerifier({"intake": [intake.public_key], "triage": []})
    [envelope] = envelopes(1)
    payload = envelope.encode()
    subject = envelope.subject
    headers: dict[str, str] | None = {HEADER: intake.sign(payload)}
    last = 0
    if change == "no header":
        headers = None
    elif change == "garbage":
        payload = b"\x00not json"
    elif change == "other key":
        headers = {HEADER: signer().sign(payload)}
    elif change == "not base64":
        headers = {HEADER: "***"}
    elif change == "tampered":
        payload = payload.replace(b"bench 0", b"bench 9")
    elif change == "other subject":
        subject = "meldingen.triage.melding_received"
    elif change == "unknown source":
        verifier = EventVerifier({"triage": [intake.public_key]})
    elif change == "replayed":
        last = envelope.position
    assert admit(subject, headers, payload, verifier, lambda _: last) == Refused(reason)


def test_during_a_key_rotation_both_keys_verify() -> None:
    old, new = signer(), signer()
    keys = parse_public_keys(f"intake {old.public_key}\n# rotated\nintake {new.public_key}\n")
    verifier = EventVerifier(keys)
    assert verifier.verify("intake", b"x", old.sign(b"x"))
    assert verifier.verify("intake", b"x", new.sign(b"x"))
    assert not verifier.verify("intake", b"y", new.sign(b"x"))


def test_public_keys_are_read_in_either_form_and_a_bare_name_is_refused() -> None:
    assert parse_public_keys("intake=AAA,triage=BBB") == {"intake": ["AAA"], "triage": ["BBB"]}
    with pytest.raises(ConfigurationError, match="a service and its key"):
        parse_public_keys("intake")


def test_the_signing_benchmark_runs() -> None:
    figures = measure(20)
    assert figures["events"] == 20 and figures["sign_us"] > 0 and figures["admit_us"] > 0


def test_the_deployments_keys_from_nats_secrets_fit_together(tmp_path: Path) -> None:
    deploysecrets.write(tmp_path, "MELDINGEN")
    settings = Settings(env="production", jwks_url="https://idp.example.org/jwks",
                        cipher_key=SecretStr("k"), receipt_key=SecretStr("r"),
                        event_signing_key_file=tmp_path / "event_signing_key_triage",
                        event_public_keys_file=tmp_path / "event_public_keys",
                        nats_seed_file=tmp_path / "nats_seed_triage")
    signature = signer_for(settings, "triage").sign(b"payload")
    assert verifier_for(settings).verify("triage", b"payload", signature)
    assert not verifier_for(settings).verify("intake", b"payload", signature)
    # The server's block names triage's public key, never a seed.
    block = (tmp_path / "nats_authorization.conf").read_text()
    assert public_key(settings.nats_seed_of("triage")) in block
    seeds = [p.read_text().strip() for p in tmp_path.glob("nats_seed_*")]
    assert seeds and not any(seed in block for seed in seeds)
    # A second run keeps every key.
    before = {p.name: p.read_text() for p in tmp_path.iterdir()}
    deploysecrets.write(tmp_path, "MELDINGEN")
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == before
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {"0o600"}


def test_production_without_the_bus_keys_stops_with_their_names(tmp_path: Path) -> None:
    settings = Settings(env="production", jwks_url="https://idp.example.org/jwks",
                        cipher_key=SecretStr("k"), receipt_key=SecretStr("r"))
    with pytest.raises(ConfigurationError, match="MELDINGEN_EVENT_SIGNING_KEY"):
        signer_for(settings, "triage")
    with pytest.raises(ConfigurationError, match="MELDINGEN_EVENT_PUBLIC_KEYS"):
        verifier_for(settings)
    with pytest.raises(ConfigurationError, match="MELDINGEN_NATS_SEED"):
        settings.nats_seed_of("triage")
