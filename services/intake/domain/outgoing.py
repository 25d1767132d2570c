"""What intake tells triage of a melding's record (verslag) and of a reporter's wish
to meet, so that triage's queue shows both: the record's status, never its text, and
the term of an open meeting request."""

from __future__ import annotations

from typing import Any, Final

from services.intake.domain.report import Report
from shared.contracts import (
    IntegrationEvent,
    MeetingRequestChanged,
    RecordStatus,
    RecordStatusChanged,
)

#: The record's status after each of its events (as `Report` sets it).
RECORD_STATUS_AFTER: Final[dict[type[Any], RecordStatus]] = {
    Report.RecordWritten: "awaiting_reporter",
    Report.RecordApproved: "approved",
    Report.RecordCorrected: "corrections_sent",
}


def record_or_meeting_event(domain_event: Any) -> IntegrationEvent | None:
    melding_id = str(domain_event.originator_id)
    status = RECORD_STATUS_AFTER.get(type(domain_event))
    if status is not None:
        return RecordStatusChanged(melding_id=melding_id, status=status, at=domain_event.at)
    if isinstance(domain_event, (Report.MeetingRequested, Report.MeetingRecorded)):
        # A meeting answers the open request, if there was one.
        return MeetingRequestChanged(melding_id=melding_id,
                                     due_by=getattr(domain_event, "due_by", None),
                                     at=domain_event.at)
    return None
