"""The reporter's mailbox token: a short-lived JWT whose subject is the melding.

It has its own audience and role ("reporter") and its own signing key, derived
from the receipt key, so a staff verifier never accepts it and a mailbox token
can never be minted with a staff signing key. Expiry is checked against the injected
clock (tests move it).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import jwt

from shared.auth import InvalidToken
from shared.clock import Clock

AUDIENCE = "meldingen-mailbox"
ROLE = "reporter"


class MailboxTokens:
    def __init__(self, key: bytes, *, ttl_seconds: int, issuer: str, clock: Clock) -> None:
        self._key = key
        self.ttl_seconds = ttl_seconds
        self._issuer = issuer
        self._clock = clock

    def issue(self, melding_id: UUID) -> str:
        now = int(self._clock.now().timestamp())
        claims = {"sub": str(melding_id), "role": ROLE, "aud": AUDIENCE, "iss": self._issuer,
                  "iat": now, "exp": now + self.ttl_seconds}
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str) -> UUID:
        """The melding the token opens; InvalidToken if forged, foreign or expired."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._key, algorithms=["HS256"], audience=AUDIENCE, issuer=self._issuer,
                # Time is checked below against our clock, not the wall clock.
                options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
            )
            melding_id = UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken("invalid or expired token") from exc
        if claims.get("role") != ROLE or claims["exp"] <= self._clock.now().timestamp():
            raise InvalidToken("invalid or expired token")
        return melding_id
