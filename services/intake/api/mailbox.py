"""The reporter's mailbox: log in with the receipt code, read, answer."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.intake.api.deps import Intake, Login, MailboxHolder
from services.intake.api.schemas import (
    MailboxLoginIn,
    MailboxMessage,
    MailboxOut,
    MailboxTokenOut,
    ReplyIn,
    ReplyOut,
)

# No answer here is cached: shared.middleware.ResponseHeaders adds `no-store` to all.
router = APIRouter(prefix="/api/mailbox", tags=["mailbox"])


@router.post("/login", response_model=MailboxTokenOut,
             responses={401: {"description": "Wrong code"}, 429: {"description": "Too many"}})
def login(body: MailboxLoginIn, request: Request, mailbox: Login) -> MailboxTokenOut:
    """Exchange the receipt code for a short-lived mailbox token."""
    client = request.client.host if request.client else "unknown"
    token = mailbox.login(body.receipt, client)
    return MailboxTokenOut(token=token, expires_in=mailbox.tokens.ttl_seconds)


@router.get("", response_model=MailboxOut)
def read(melding_id: MailboxHolder, intake: Intake) -> MailboxOut:
    """What the reporter may see: the status and every message either way."""
    report = intake.get_report(melding_id)
    return MailboxOut(
        id=str(melding_id),
        status=report.status,
        messages=[MailboxMessage(from_=m["from"], body=m["body"], at=m["at"],
                                 purpose=m["purpose"]) for m in report.messages],
    )


@router.post("/messages", status_code=201, response_model=ReplyOut)
def reply(body: ReplyIn, melding_id: MailboxHolder, intake: Intake) -> ReplyOut:
    """The reporter answers or adds information; the meldpunt receives it in triage."""
    return ReplyOut(at=intake.reply(melding_id, body.body))
