from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.intake.application import IntakeApplication
from services.intake.filing import Filing
from services.intake.mailbox import MailboxLogin
from shared.auth import InvalidToken
from shared.deps import Unauthorized, application
from shared.errors import NotFound

Intake = Annotated[IntakeApplication, Depends(application)]
_bearer = HTTPBearer(auto_error=False)


async def mailbox_login(request: Request) -> MailboxLogin:
    return request.app.state.mailbox_login  # type: ignore[no-any-return]


async def filing(request: Request) -> Filing:
    return request.app.state.filing  # type: ignore[no-any-return]


async def mailbox_melding(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UUID:
    """The melding whose mailbox the bearer's token opens (never a staff token)."""
    if credentials is None:
        raise Unauthorized("A mailbox token is required; log in with the receipt code.")
    try:
        return request.app.state.mailbox_tokens.verify(credentials.credentials)  # type: ignore[no-any-return]
    except InvalidToken:
        raise Unauthorized("The mailbox token is invalid or expired; log in again.") from None


def client_address(request: Request) -> str:
    """The peer's address; behind a proxy named in MELDINGEN_FORWARDED_ALLOW_IPS, the
    address it forwarded (shared/middleware.py), never one the client wrote itself."""
    return request.client.host if request.client else "unknown"


async def melding_id(melding_id: str) -> UUID:
    try:
        return UUID(melding_id)
    except ValueError:
        raise NotFound("No melding with this id.") from None


Filer = Annotated[Filing, Depends(filing)]
Login = Annotated[MailboxLogin, Depends(mailbox_login)]
MailboxHolder = Annotated[UUID, Depends(mailbox_melding)]
MeldingId = Annotated[UUID, Depends(melding_id)]
