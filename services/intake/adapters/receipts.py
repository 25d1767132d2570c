"""Receipt codes: 16 random digits, shown once; only a keyed BLAKE2b hash is kept."""

from __future__ import annotations

import base64
import hmac
import secrets

from nacl.encoding import HexEncoder
from nacl.hash import blake2b

RECEIPT_DIGITS = 16


class ReceiptKeys:
    def __init__(self, key_b64: str) -> None:
        self._key = base64.b64decode(key_b64)
        if not 16 <= len(self._key) <= 64:
            raise ValueError("the receipt key must be 16 to 64 bytes")

    @staticmethod
    def new_code() -> str:
        """16 digits from the operating system's CSPRNG (uniform, leading zeros kept)."""
        return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"

    def digest(self, code: str) -> str:
        """The lookup key: the same work for any input, well-formed or not."""
        return blake2b(normalise(code).encode(), key=self._key, encoder=HexEncoder).decode()

    @staticmethod
    def matches(stored: str | None, candidate: str) -> bool:
        """Constant-time; with nothing stored, compare against a stand-in all the same."""
        return hmac.compare_digest(stored or _NOTHING, candidate) and stored is not None


_NOTHING = "0" * 128  # the length of a hex BLAKE2b digest


def normalise(code: str) -> str:
    """Accept the code as written down: with spaces or dashes between the groups."""
    return "".join(ch for ch in code if ch in "0123456789")


def grouped(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
