"""Signed integration events: each service's relay signs the exact bytes it
publishes (Ed25519, a key per service), carried in a NATS header; consumers verify
them against the public keys configured for the envelope's source."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from shared.config import SERVICES, ConfigurationError, Settings

HEADER = "Meldingen-Signature"
_ENTRY = re.compile(r"(?P<source>[\w-]+)\s*[=\s]\s*(?P<key>\S+)")


class EventSigner:
    def __init__(self, seed_b64: str) -> None:
        self._key = SigningKey(base64.b64decode(seed_b64))

    @property
    def public_key(self) -> str:
        return base64.b64encode(bytes(self._key.verify_key)).decode()

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload).signature).decode()


class EventVerifier:
    """Every source's public keys (several during a key rotation)."""

    def __init__(self, keys: Mapping[str, Sequence[str]]) -> None:
        self._keys = {source: [VerifyKey(base64.b64decode(key)) for key in source_keys]
                      for source, source_keys in keys.items()}

    def knows(self, source: str) -> bool:
        return bool(self._keys.get(source))

    def verify(self, source: str, payload: bytes, signature_b64: str) -> bool:
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            return False
        for key in self._keys.get(source, ()):
            try:
                key.verify(payload, signature)
            except (BadSignatureError, ValueError):
                continue
            return True
        return False


def parse_public_keys(text: str, variable: str = "MELDINGEN_EVENT_PUBLIC_KEYS",
                      ) -> dict[str, list[str]]:
    """`intake=KEY,triage=KEY` or lines `intake KEY`; a source may appear more than once.
    `variable` names the setting in the error (the keyring's keys have the same form)."""
    keys: dict[str, list[str]] = {}
    for item in text.replace(",", "\n").splitlines():
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        entry = _ENTRY.fullmatch(item)  # base64 ends in "=": split at the first one only
        if entry is None:
            raise ConfigurationError(f"{variable}: each entry is a service and its key")
        keys.setdefault(entry["source"], []).append(entry["key"])
    return keys


def signer_for(settings: Settings, service: str) -> EventSigner:
    return EventSigner(settings.event_signing_seed_of(service))


def verifier_for(settings: Settings) -> EventVerifier:
    text = settings.event_public_keys_text()
    if text is None:  # development: the public halves of the generated seeds
        return EventVerifier({s: [signer_for(settings, s).public_key] for s in SERVICES})
    return EventVerifier(parse_public_keys(text))
