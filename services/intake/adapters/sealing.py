"""Sealing an identity to the confidential adviser's public key (libsodium sealed box)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from nacl.public import PublicKey, SealedBox

SEAL_OVERHEAD = 48  # ephemeral public key (32) + MAC (16)


def key_id_of(public_key: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


class IdentitySealer:
    def __init__(self, public_keys: dict[str, bytes], current: str) -> None:
        self._boxes = {kid: SealedBox(PublicKey(key)) for kid, key in public_keys.items()}
        self.public_keys = public_keys
        self.current = current

    def seal(self, identity: dict[str, Any]) -> dict[str, str]:
        plaintext = json.dumps(identity, sort_keys=True).encode()
        sealed = self._boxes[self.current].encrypt(plaintext)
        return {"key_id": self.current, "sealed": base64.b64encode(sealed).decode()}

    def knows(self, key_id: str) -> bool:
        return key_id in self._boxes

    @staticmethod
    def well_formed(sealed_b64: str) -> bool:
        try:
            sealed = base64.b64decode(sealed_b64, validate=True)
        except ValueError:
            return False
        return len(sealed) > SEAL_OVERHEAD
