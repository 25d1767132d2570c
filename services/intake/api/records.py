"""The staff's side of a melding that came in orally or in person: the record
(verslag) the staff member who received it writes, and the meetings reporters ask for."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.intake.api.deps import Intake, MeetingRequestsView, MeldingId
from services.intake.api.schemas import (
    MeetingIn,
    MeetingRequestsOut,
    RecordIn,
    RecordOut,
    RecordResponse,
    RecordVersion,
    RecordWrittenOut,
    WaitingMeeting,
)
from shared.auth import Principal
from shared.deps import authorized

router = APIRouter(prefix="/api", tags=["records"])


@router.post("/meldingen/{melding_id}/record", status_code=201, response_model=RecordWrittenOut)
def write_record(
    body: RecordIn,
    melding_id: MeldingId,
    intake: Intake,
    principal: Annotated[Principal, authorized("record.write")],
) -> RecordWrittenOut:
    """A new version of the record, offered to the reporter in the mailbox."""
    return RecordWrittenOut(version=intake.write_record(melding_id, body.text, by=principal))


@router.get("/meldingen/{melding_id}/record", response_model=RecordOut)
def read_record(
    melding_id: MeldingId,
    intake: Intake,
    principal: Annotated[Principal, authorized("record.write")],
) -> RecordOut:
    """Every version of the record and the reporter's answers; whether it is approved."""
    report = intake.read_record(melding_id, by=principal)
    return RecordOut(
        status=report.record_status,
        versions=[RecordVersion(version=v["version"], text=v["text"], at=v["at"])
                  for v in report.record_versions],
        responses=[RecordResponse(**r) for r in report.record_responses],
    )


@router.get("/meeting-requests", response_model=MeetingRequestsOut)
def meeting_requests(
    view: MeetingRequestsView,
    intake: Intake,
    _: Annotated[Principal, authorized("meeting.list")],
) -> MeetingRequestsOut:
    """The reporters who asked to meet and were not met yet, the first term first."""
    now = intake.clock.now()
    return MeetingRequestsOut(items=[
        WaitingMeeting(melding_id=str(r.melding_id), via=r.via,
                       requested_at=r.requested_at, due_by=r.due_by, overdue=r.overdue(now))
        for r in view.waiting()])


@router.post("/meldingen/{melding_id}/meetings", status_code=204)
def record_meeting(
    body: MeetingIn,
    melding_id: MeldingId,
    intake: Intake,
    principal: Annotated[Principal, authorized("meeting.record")],
) -> None:
    """A meeting with the reporter took place (it answers their request)."""
    intake.record_meeting(melding_id, body.held_at, by=principal.sub)

