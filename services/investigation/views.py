"""The case list: an in-memory summary of every case, rebuilt from the event store at
start and kept current from each commit, so listing reads no events."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from services.investigation.domain.case import TRANSITIONS, Case, first_status, path_of

#: domain event -> the command whose transition it records
_COMMANDS = {
    Case.ConversationRecorded: "record_conversation",
    Case.InvestigatorsAssigned: "assign_investigators",
    Case.PlanRecorded: "record_plan",
    Case.InterviewRecorded: "record_interview",
    Case.EvidenceAdded: "add_evidence",
    Case.DraftReportIssued: "issue_draft_report",
    Case.ResponseRecorded: "record_response",
    Case.ResponseTermLapsed: "record_response_lapse",
    Case.FinalReportIssued: "issue_final_report",
    Case.MeasuresTaken: "take_measures",
}


@dataclass
class CaseSummary:
    id: UUID
    path: str
    theme: str
    status: str
    opened_at: datetime
    investigators: list[str] = field(default_factory=list)


class CaseIndex:
    def __init__(self) -> None:
        self._cases: dict[UUID, CaseSummary] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Case.Opened):
                path = path_of(event.outcome)
                self._cases.setdefault(event.originator_id, CaseSummary(
                    id=event.originator_id, path=path, theme=event.theme, opened_at=event.at,
                    status=first_status(path)))
                return
            summary = self._cases.get(event.originator_id)
            command = _COMMANDS.get(type(event))
            if summary is None or command is None:
                return
            if isinstance(event, Case.InvestigatorsAssigned):
                summary.investigators = list(event.investigators)
            summary.status = TRANSITIONS[command].get(summary.status, summary.status)

    def visible(self, *, investigator: str | None) -> list[CaseSummary]:
        """All cases, oldest first; or only those assigned to `investigator`."""
        with self._lock:
            cases = [c for c in self._cases.values()
                     if investigator is None or investigator in c.investigators]
        return sorted(cases, key=lambda c: (c.opened_at, c.id))
