"""Bearer-token authentication for staff: JWTs carrying `sub` and `role`, signed with an
asymmetric key and verified here against public keys only (`shared/jwks.py`).

A token must name its key (`kid`), be signed with that key's own algorithm, and carry
`iss`, `aud`, a non-empty `sub`, a staff `role`, `iat` and `exp`, living no longer than
`MELDINGEN_TOKEN_TTL_SECONDS`: a leaked token is only good for a working day.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from shared.config import ConfigurationError, Settings
from shared.jwks import KeySet
from shared.roles import STAFF_ROLES, Role
from shared.tokens import DEV_KEY, development_jwks, development_signing_key, staff_claims

__all__ = ["STAFF_ROLES", "InvalidToken", "Principal", "Role", "TokenVerifier", "issue_token"]
# Clocks differ a little between the signer and the services.
LEEWAY_SECONDS = 30
# Verified tokens kept (until they expire), the oldest forgotten first.
SEEN_TOKENS = 4096


class InvalidToken(Exception):
    """Missing, malformed, forged or expired token (the reason is kept generic)."""


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str


def trusted_keys(settings: Settings) -> KeySet:
    """The JWKS file and URLs configured; in development also the generated one."""
    file = settings.jwks_file
    if file is None and settings.env == "development":
        file = development_jwks(settings)
    return KeySet(file=file, urls=settings.jwks_urls,
                  refetch_seconds=settings.jwks_refetch_seconds)


class TokenVerifier:
    def __init__(self, settings: Settings, keys: KeySet | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self._keys = keys or trusted_keys(settings)
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = settings.token_ttl_seconds
        self._now = now
        self._seen: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    def may_block(self, token: str) -> bool:
        """Whether verifying `token` may wait on the network (an unknown key to fetch)."""
        if not self._keys.remote:
            return False
        kid = _kid(token)
        return kid is not None and self._keys.known(kid) is None and self._keys.may_refresh()

    def verify(self, token: str) -> Principal:
        """The staff member the token names; InvalidToken for any fault in it. A token
        seen before and not yet expired is answered from memory: a staff member sends
        the same one for hours, and an EdDSA check costs several times an HS256 one."""
        now = self._now()
        seen = self._seen.get(token)
        if seen is not None and seen[1] > now:
            return seen[0]
        principal, expires = self._verify(token)
        with self._lock:
            self._seen[token] = (principal, expires)
            while len(self._seen) > SEEN_TOKENS:
                self._seen.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        kid = _kid(token)
        key = None if kid is None else self._keys.find(kid)
        if key is None:
            raise InvalidToken("invalid or expired token")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=[key.algorithm_name], audience=self._audience,
                issuer=self._issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]})
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid or expired token") from exc
        self._check_lifetime(claims)
        sub, role = claims.get("sub"), claims.get("role")
        if not isinstance(sub, str) or not sub.strip():
            raise InvalidToken("token names no one")
        if role not in STAFF_ROLES:
            raise InvalidToken("token carries no known role")
        return Principal(sub=sub, role=role), float(claims["exp"])

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        issued, expires = claims["iat"], claims["exp"]
        if not isinstance(issued, int | float) or not isinstance(expires, int | float):
            raise InvalidToken("invalid or expired token")
        if expires - issued > self._ttl or expires > self._now() + self._ttl + LEEWAY_SECONDS:
            raise InvalidToken("token lives longer than allowed")


def issue_token(settings: Settings, *, sub: str, role: str, ttl: int | None = None) -> str:
    """A token signed with the development key, which the embedded run trusts; for
    development and tests only: production has no such key and refuses."""
    if settings.env != "development":
        raise ConfigurationError(
            "`meldingen token` is for development only: in production staff sign in at "
            "the console (or the organisation's identity provider)")
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(STAFF_ROLES)}")
    if not sub.strip():
        raise ValueError("a token needs a non-empty sub")
    key = development_signing_key(settings, DEV_KEY)
    return key.sign(staff_claims(settings, sub=sub, role=role, ttl=ttl))


def _kid(token: str) -> str | None:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None
    return kid if isinstance(kid, str) else None
