"""What of triage's events carries a melding's content or personal data: the store
keeps these fields under the melding's own key (`shared.keyedfields`, docs/privacy.md).
Ids, statuses, dates, themes, outcomes and staff members' ids stay readable."""

from __future__ import annotations

from typing import Any

from services.triage.desk.domain.desk import Desk
from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from services.triage.protection.domain.protection import Protection

_REPORT: dict[str, tuple[str, ...]] = {
    "Received": ("description", "involved", "identity"),
    # Motivations and feedback may name people; a referral's target stays readable.
    "Assessed": ("motivation", "feedback"),
    "Decided": ("motivation", "involved", "police_report_motivation"),
    "Reassigned": ("motivation",),
    "Reopened": ("motivation",),
    "PoliceReportRecorded": ("registration_number",),
    "Recused": ("reason",),
    "MessageSent": ("body",),
    "ReplyReceived": ("body",),
    # The closing feedback's start and the authority's or investigation's words.
    "Closed": ("start", "advice"),
}

CONTENT_FIELDS: dict[type[Any], tuple[str, ...]] = {
    **{getattr(Report, name): fields for name, fields in _REPORT.items()},
    # A legal hold's motivation may name a court case or a complainant.
    Retained.HoldPlaced: ("motivation",),
    Retained.HoldLifted: ("motivation",),
    # A desk's note names its melding, whose key it is kept under.
    Desk.NoteWritten: ("body",),
    # Whom a melding protects, and what they complain of, name people: its key keeps them.
    Protection.PersonProtected: ("name", "note"),
    Protection.ComplaintRecorded: ("description",),
    Protection.ComplaintHandled: ("motivation", "measures"),
    Protection.CheckedIn: ("notes",),
}
