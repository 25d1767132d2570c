"""Bearer-token authentication for staff: JWTs carrying `sub` and `role`.

HS256 with a shared secret (generated into var/ in the embedded run), or RS256
against a JWKS URL in production.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from shared.config import Settings
from shared.roles import STAFF_ROLES, Role

__all__ = ["STAFF_ROLES", "InvalidToken", "Principal", "Role", "TokenVerifier", "issue_token"]


class InvalidToken(Exception):
    """Missing, malformed, forged or expired token (the reason is kept generic)."""


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        #: Whether `verify` may wait on the network (fetching the JWKS).
        self.may_block = bool(settings.jwks_url)
        if settings.jwks_url:
            self._jwks: jwt.PyJWKClient | None = jwt.PyJWKClient(settings.jwks_url)
            self._secret = ""
        else:
            self._jwks = None
            self._secret = settings.jwt_key

    def verify(self, token: str) -> Principal:
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(token, key, algorithms=["RS256"], audience=self._audience,
                                    issuer=self._issuer, options={"require": ["exp", "sub"]})
            else:
                claims = jwt.decode(token, self._secret, algorithms=["HS256"],
                                    audience=self._audience, issuer=self._issuer,
                                    options={"require": ["exp", "sub"]})
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid or expired token") from exc
        role = claims.get("role")
        if role not in STAFF_ROLES or not isinstance(claims.get("sub"), str):
            raise InvalidToken("token carries no known role")
        return Principal(sub=claims["sub"], role=role)


def issue_token(settings: Settings, *, sub: str, role: str, ttl: int | None = None) -> str:
    """A token the embedded run accepts (HS256); for development and tests."""
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(STAFF_ROLES)}")
    now = int(time.time())
    claims = {"sub": sub, "role": role, "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
              "iat": now, "exp": now + (ttl or settings.token_ttl_seconds)}
    return jwt.encode(claims, settings.jwt_key, algorithm="HS256")
