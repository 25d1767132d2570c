"""The checkpoint signing key (ed25519, PyNaCl), from the settings or var/secrets."""

from __future__ import annotations

import base64

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey

from shared.config import Settings


class CheckpointSigner:
    def __init__(self, settings: Settings) -> None:
        self._key = SigningKey(base64.b64decode(settings.checkpoint_key_b64))
        self.public_key = base64.b64encode(bytes(self._key.verify_key)).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message).signature).decode()

    def verify(self, message: bytes, signature: str) -> bool:
        """Against this deployment's key, never against a key the record names."""
        try:
            self._key.verify_key.verify(message, base64.b64decode(signature))
        except (BadSignatureError, ValueError):
            return False
        return True
