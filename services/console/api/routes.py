"""The console's JSON: the public keys of its staff tokens, and a token for the
signed-in person (for calling the other services on their behalf)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.console.adapters.signing import TokenSigner
from services.console.api.deps import parts
from services.console.api.schemas import TokenOut
from services.console.web import browser
from services.console.web.access import current_member
from shared.deps import Unauthorized
from shared.errors import Forbidden

router = APIRouter(tags=["console"])


def _signer(request: Request) -> TokenSigner:
    return parts(request).signer


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    """The public keys that the services verify the console's staff tokens with."""
    return JSONResponse(_signer(request).jwks, headers={"Cache-Control": "max-age=300"})


@router.get("/api/token")
def token(request: Request, role: str) -> TokenOut:
    """A short-lived token for the signed-in person in one of their roles."""
    session = browser.current(request)
    if session is None or session.sub is None:
        raise Unauthorized("Sign in first.")
    member = current_member(request, session, session.sub)
    if member is None:
        raise Unauthorized("Sign in first.")
    if role not in member.roles:
        raise Forbidden(f"You do not have the role {role!r}.")
    signer = _signer(request)
    return TokenOut(token=signer.token(sub=member.sub, role=role),
                    expires_in=parts(request).settings.console_token_ttl_seconds)
