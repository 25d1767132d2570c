"""What intake's routes and pages read: the container `bootstrap.py` builds, and its
parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.intake.adapters.filing import Filing
from services.intake.adapters.form_tokens import FormTokens
from services.intake.adapters.mailbox_login import MailboxLogin
from services.intake.application import IntakeApplication
from services.intake.files.application import IntakeFiles
from services.intake.views import MeetingRequests, StaffLog
from shared.auth import InvalidToken
from shared.deps import Unauthorized
from shared.errors import NotFound
from shared.runtime import MessagingRuntime
from shared.service import parts_dependency, parts_of
from shared.viewstore import Flusher


@dataclass(frozen=True)
class IntakeParts:
    application: IntakeApplication
    runtime: MessagingRuntime
    filing: Filing
    login: MailboxLogin
    form_tokens: FormTokens
    meeting_requests: MeetingRequests
    staff_log: StaffLog
    files: IntakeFiles
    flusher: Flusher


_bearer = HTTPBearer(auto_error=False)


Parts = Annotated[IntakeParts, Depends(parts_dependency(IntakeParts))]


async def application(parts: Parts) -> IntakeApplication:
    return parts.application


async def mailbox_login(parts: Parts) -> MailboxLogin:
    return parts.login


async def filing(request: Request) -> Filing:
    # Straight from the container, not through `Parts`: filing is intake's busiest
    # route, and each level of dependency FastAPI solves costs it CPU per request.
    return parts_of(request.app, IntakeParts).filing


async def meeting_requests(parts: Parts) -> MeetingRequests:
    return parts.meeting_requests


async def staff_log(parts: Parts) -> StaffLog:
    return parts.staff_log


async def mailbox_melding(
    parts: Parts,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UUID:
    """The melding whose mailbox the bearer's token opens (never a staff token)."""
    if credentials is None:
        raise Unauthorized("A mailbox token is required; log in with the receipt code.")
    try:
        return parts.login.tokens.verify(credentials.credentials)
    except InvalidToken:
        raise Unauthorized("The mailbox token is invalid or expired; log in again.") from None


def client_address(request: Request) -> str:
    """The peer's address; behind a proxy named in MELDINGEN_FORWARDED_ALLOW_IPS, the
    address it forwarded (shared/middleware.py), never one the client wrote itself."""
    return request.client.host if request.client else "unknown"


async def files(parts: Parts) -> IntakeFiles:
    return parts.files


async def melding_id(melding_id: str) -> UUID:
    try:
        return UUID(melding_id)
    except ValueError:
        raise NotFound("No melding with this id.") from None


Intake = Annotated[IntakeApplication, Depends(application)]
Filer = Annotated[Filing, Depends(filing)]
Login = Annotated[MailboxLogin, Depends(mailbox_login)]
MailboxHolder = Annotated[UUID, Depends(mailbox_melding)]
MeldingId = Annotated[UUID, Depends(melding_id)]
MeetingRequestsView = Annotated[MeetingRequests, Depends(meeting_requests)]
Files = Annotated[IntakeFiles, Depends(files)]
StaffLogView = Annotated[StaffLog, Depends(staff_log)]
