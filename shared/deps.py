"""FastAPI dependencies every service uses: the staff member a bearer
token names (401 without a valid one), and the action each route declares, checked
against the table in `shared/authz.py` (403 for a role that may not do it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared import authz
from shared.auth import InvalidToken, Principal, TokenVerifier
from shared.errors import DomainError


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


_bearer = HTTPBearer(auto_error=False)


# The dependencies below are `async def`: FastAPI runs a plain `def` dependency in the
# threadpool, and those hand-offs (one per dependency per request) cost more than the
# work itself (measured with the benchmarks, docs/performance.md). Verifying a token
# is CPU only, unless the verifier must fetch a JWKS over the network.


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.verifier
    token = credentials.credentials
    try:
        if verifier.may_block(token):
            return await asyncio.to_thread(verifier.verify, token)
        return verifier.verify(token)
    except InvalidToken:
        raise Unauthorized("The bearer token is invalid or expired.") from None


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    return None if credentials is None else await current_principal(request, credentials)


class Declared:
    """A dependency through which a route declares its action (`.action`), where the
    authorization-matrix test reads it; an action not in the table fails at import."""

    def __init__(self, action: str) -> None:
        self.action = authz.check_action(action)


class Authorized(Declared):
    """401/403 unless the caller's role may do the action."""

    async def __call__(self, principal: Annotated[Principal, Depends(current_principal)]
                       ) -> Principal:
        authz.require(principal.role, self.action)
        return principal


@dataclass(frozen=True)
class Permit:
    """The caller (if any) of a route that needs its action only sometimes: `require`
    answers 401/403 as `authorized` would, when the route gets there."""

    action: str
    principal: Principal | None

    def require(self) -> Principal:
        if self.principal is None:
            raise Unauthorized(f"A staff token is required to do {self.action!r}.")
        authz.require(self.principal.role, self.action)
        return self.principal


class Permitted(Declared):
    """The caller's `Permit` for the action, which the route checks where it needs it."""

    async def __call__(self, principal: Annotated[Principal | None, Depends(optional_principal)]
                       ) -> Permit:
        return Permit(self.action, principal)


def authorized(action: str) -> Any:
    """A dependency that answers 401/403 unless the caller's role may do `action`."""
    return Depends(Authorized(action))


def permitted(action: str) -> Any:
    """A dependency giving a `Permit` for `action`, checked only where the route asks."""
    return Depends(Permitted(action))
