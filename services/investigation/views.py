"""The case list: an in-memory summary of every case, rebuilt from the event store at
start and kept current from each commit, so listing reads no events."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from services.investigation.domain.case import TRANSITIONS, Case, first_status, path_of
from services.investigation.domain.shredding import Shreddable
from shared.authz import MeldingParties, may_see

#: domain event -> the command whose transition it records
_COMMANDS = {
    Case.ConversationRecorded: "record_conversation",
    Case.Escalated: "escalate",
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
    competent_authority: str
    investigators: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    shredded_at: datetime | None = None  # its melding's term passed: no content

    @property
    def parties(self) -> MeldingParties:
        return MeldingParties(self.competent_authority, self.excluded, self.investigators)


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
                    status=first_status(path), competent_authority=event.decided_by))
                return
            summary = self._cases.get(event.originator_id)
            if summary is None:
                return
            self._parties_changed(summary, event)
            command = _COMMANDS.get(type(event))
            if command is None:
                return
            if isinstance(event, Case.InvestigatorsAssigned):
                summary.investigators = list(event.investigators)
            elif isinstance(event, Case.Escalated):
                summary.path = "investigation"
            summary.status = TRANSITIONS[command].get(summary.status, summary.status)

    @staticmethod
    def _parties_changed(summary: CaseSummary, event: Any) -> None:
        if isinstance(event, Case.MeldingNoted):
            summary.competent_authority = event.competent_authority
            summary.excluded = list(event.excluded)
        elif isinstance(event, Case.InvestigatorAdded):
            summary.investigators = [*summary.investigators, event.sub]
        elif isinstance(event, Case.InvestigatorRemoved):
            summary.investigators = [i for i in summary.investigators if i != event.sub]
        elif isinstance(event, Case.AuthorityAssigned):
            summary.competent_authority = event.sub
        elif isinstance(event, Case.Recused):
            summary.excluded = [*summary.excluded, event.sub]
        elif isinstance(event, Shreddable.Shredded):
            summary.shredded_at = event.at

    def visible(self, *, role: str, sub: str) -> list[CaseSummary]:
        """The cases this reader may see (`shared.authz.may_see`), oldest first."""
        with self._lock:
            cases = [c for c in self._cases.values() if may_see(role, sub, c.parties)]
        return sorted(cases, key=lambda c: (c.opened_at, c.id))

    def awaiting_response(self) -> list[UUID]:
        """The cases whose person concerned may still respond to a draft report: those
        whose response term may have passed (the case itself says whether it has)."""
        statuses = TRANSITIONS["record_response"]
        with self._lock:
            return [c.id for c in self._cases.values() if c.status in statuses]
