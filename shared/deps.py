"""FastAPI dependencies every service uses: its application, and the staff member a
bearer token names (401 without a valid one, 403 for a role that may not act)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import InvalidToken, Principal, TokenVerifier
from shared.authz import PERMISSIONS
from shared.errors import DomainError, Forbidden


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


_bearer = HTTPBearer(auto_error=False)


# The dependencies below are `async def`: FastAPI runs a plain `def` dependency in the
# threadpool, and those hand-offs (one per dependency per request) cost more than the
# work itself (measured with the benchmarks, docs/performance.md). Verifying a token
# is CPU only, unless the verifier must fetch a JWKS over the network.


async def application(request: Request) -> Any:
    """The service's eventsourcing application, set by its bootstrap (async: no
    threadpool hand-off for reading an attribute)."""
    return request.app.state.application


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


def authorized(action: str) -> Any:
    """A dependency that answers 401/403 unless the caller's role may do `action`."""
    allowed = PERMISSIONS[action]

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]
                         ) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"The role {principal.role!r} may not do {action!r}.", action=action)
        return principal

    return Depends(dependency)
