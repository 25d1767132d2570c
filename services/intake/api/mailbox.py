"""The reporter's mailbox: log in with the receipt code, read, answer."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.intake.api.deps import Files, Intake, Login, MailboxHolder, client_address
from services.intake.api.schemas import (
    ChallengeOut,
    IdentityConsentIn,
    MailboxLoginIn,
    MailboxMessage,
    MailboxOut,
    MailboxRecord,
    MailboxTokenOut,
    MeetingRequestOut,
    RecordAnswerIn,
    ReplyIn,
    ReplyOut,
)
from shared.files.schemas import MailboxAttachmentOut

# No answer here is cached: shared.middleware.ResponseHeaders adds `no-store` to all.
router = APIRouter(prefix="/api/mailbox", tags=["mailbox"])


@router.post("/challenge", response_model=ChallengeOut)
async def challenge(mailbox: Login) -> ChallengeOut:
    """A proof-of-work challenge for one login attempt (see docs/privacy.md)."""
    work = mailbox.proof_of_work
    return ChallengeOut(challenge=work.challenge(), bits=work.bits,
                        expires_in=int(work.ttl_seconds))


@router.post("/login", response_model=MailboxTokenOut,
             responses={401: {"description": "Wrong code"}, 429: {"description": "Too many"}})
def login(body: MailboxLoginIn, request: Request, mailbox: Login) -> MailboxTokenOut:
    """Exchange the receipt code for a short-lived mailbox token."""
    proof = (body.challenge, body.proof) if body.challenge and body.proof else None
    token = mailbox.login(body.receipt, client_address(request), proof)
    return MailboxTokenOut(token=token, expires_in=mailbox.tokens.ttl_seconds)


@router.get("", response_model=MailboxOut)
def read(melding_id: MailboxHolder, intake: Intake, files: Files) -> MailboxOut:
    """What the reporter may see: the status, every message either way, the latest
    version of the record of an oral or in-person melding, and an open meeting request."""
    report = intake.get_report(melding_id)
    latest = report.record_versions[-1] if report.record_versions else None
    return MailboxOut(
        id=str(melding_id),
        status=report.status,
        messages=[MailboxMessage(from_=m["from"], body=m["body"], at=m["at"],
                                 purpose=m["purpose"]) for m in report.messages],
        record=MailboxRecord(version=latest["version"], text=latest["text"], at=latest["at"],
                             status=report.record_status) if latest and report.record_status
        else None,
        meeting_requested=report.meeting_request is not None,
        identity_consent=report.identity_consent,
        attachments=[MailboxAttachmentOut.model_validate(f)
                     for f in files.attachments(melding_id).files],
    )


@router.post("/messages", status_code=201, response_model=ReplyOut)
def reply(body: ReplyIn, melding_id: MailboxHolder, intake: Intake) -> ReplyOut:
    """The reporter answers or adds information; the meldpunt receives it in triage."""
    return ReplyOut(at=intake.reply(melding_id, body.body))


@router.post("/record", status_code=201, response_model=ReplyOut)
def answer_record(body: RecordAnswerIn, melding_id: MailboxHolder, intake: Intake) -> ReplyOut:
    """The reporter approves the record's latest version or sends corrections to it."""
    return ReplyOut(at=intake.answer_record(melding_id, body.version, approved=body.approved,
                                            corrections=body.corrections))


@router.post("/meeting-request", status_code=201, response_model=MeetingRequestOut)
def request_meeting(melding_id: MailboxHolder, intake: Intake) -> MeetingRequestOut:
    """The reporter asks to meet in person."""
    return MeetingRequestOut(due_by=intake.request_meeting(melding_id))


@router.post("/identity-consent", status_code=201, response_model=ReplyOut)
def identity_consent(body: IdentityConsentIn, melding_id: MailboxHolder,
                     intake: Intake) -> ReplyOut:
    """A named reporter gives or withdraws consent to pass their identity on."""
    return ReplyOut(at=intake.record_identity_consent(melding_id, body.given))
