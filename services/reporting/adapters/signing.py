"""The checkpoint key (ed25519, PyNaCl): the signing key from the settings or
var/secrets; the public key that verify trusts, given on its own or derived."""

from __future__ import annotations

import base64

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from shared.config import Settings


class CheckpointSigner:
    def __init__(self, settings: Settings) -> None:
        self._key = SigningKey(base64.b64decode(settings.checkpoint_key_b64))
        self.public_key = base64.b64encode(bytes(self._key.verify_key)).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message).signature).decode()


class CheckpointVerifier:
    """Against this deployment's key, never against a key the record names."""

    def __init__(self, public_key_b64: str) -> None:
        self._key = VerifyKey(base64.b64decode(public_key_b64))

    @classmethod
    def of(cls, settings: Settings) -> CheckpointVerifier:
        """`MELDINGEN_CHECKPOINT_PUBLIC_KEY`, else the signing key's own."""
        return cls(settings.checkpoint_public_key or CheckpointSigner(settings).public_key)

    def verify(self, message: bytes, signature: str) -> bool:
        try:
            self._key.verify(message, base64.b64decode(signature))
        except (BadSignatureError, ValueError):
            return False
        return True
