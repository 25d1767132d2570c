"""Passwords: argon2id hashes, and a strength estimate (zxcvbn) that refuses weak ones."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from services.console.domain.staff import MIN_PASSWORD_LENGTH

#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" (about 10^8 guesses
#: at least), which an online attack against a locking account never reaches.
MIN_SCORE = 3
#: zxcvbn's cost grows with the length; what it sees of a very long password is enough.
ESTIMATED_PREFIX = 100


class Passwords:
    def __init__(self) -> None:
        self._hasher = PasswordHasher()  # argon2id, the library's (RFC 9106) defaults
        # Checked against when the login name is unknown, so that the answer takes as
        # long as for a wrong password.
        self._dummy = self._hasher.hash("no account has this password")

    def problem(self, password: str, *, hints: list[str]) -> str | None:
        """Why the password will not do ("short" or "weak"), or None."""
        if len(password) < MIN_PASSWORD_LENGTH:
            return "short"
        if zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=hints)["score"] < MIN_SCORE:
            return "weak"
        return None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False
