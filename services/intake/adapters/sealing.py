"""Sealing an identity to the confidential adviser's public key (libsodium sealed box)."""

from __future__ import annotations

import binascii
import json
from typing import Any

from shared.crypto import b64, looks_sealed, seal, unb64


class IdentitySealer:
    """Knows the adviser's public keys by key_id; seals to the current one. Older keys
    stay known so that a browser that fetched one just before a rotation is accepted."""

    def __init__(self, public_keys: dict[str, bytes], current: str) -> None:
        self.public_keys = public_keys
        self.current = current

    def seal(self, identity: dict[str, Any]) -> dict[str, str]:
        plaintext = json.dumps(identity, sort_keys=True).encode()
        sealed = seal(self.public_keys[self.current], plaintext)
        return {"key_id": self.current, "sealed": b64(sealed)}

    def knows(self, key_id: str) -> bool:
        return key_id in self.public_keys

    @staticmethod
    def well_formed(sealed_b64: str) -> bool:
        try:
            return looks_sealed(unb64(sealed_b64))
        except (binascii.Error, ValueError):
            return False
