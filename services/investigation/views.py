"""The case list: every case's summary as a row in investigation's own database
(`services.investigation.adapters.case_table`), kept current from each commit, so that
listing reads no events and a start reads no rows, only the events after the stored
position (`shared.viewstore`; issue 23)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy.pool import StaticPool

from services.investigation.adapters import case_table
from services.investigation.adapters.case_table import CaseSummary
from services.investigation.domain.case import TRANSITIONS, Case, first_status, path_of
from services.investigation.domain.shredding import Shreddable
from shared.viewstore import Row

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


class CaseIndex:
    name = "cases"  # its position in `shared.viewstore`

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        self._engine = engine or sqlalchemy.create_engine(  # its own, for unit tests
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        case_table.create(self._engine)
        self._lock = threading.Lock()  # one commit's read-change-write at a time

    def apply(self, event: Any) -> None:
        self.apply_all([event])

    def apply_all(self, events: Iterable[Any]) -> None:
        events = list(events)
        if not events:
            return
        with self._lock, self._engine.begin() as connection:
            cases = case_table.read(connection, {e.originator_id for e in events})
            changed: set[UUID] = set()
            for event in events:
                if self._change(cases, event):
                    changed.add(event.originator_id)
            case_table.write(connection, [cases[i] for i in changed])

    def _change(self, cases: dict[UUID, CaseSummary], event: Any) -> bool:
        if isinstance(event, Case.Opened):
            if event.originator_id in cases:
                return False
            path = path_of(event.outcome)
            cases[event.originator_id] = CaseSummary(
                id=event.originator_id, path=path, theme=event.theme, opened_at=event.at,
                status=first_status(path), competent_authority=event.decided_by)
            return True
        summary = cases.get(event.originator_id)
        if summary is None:
            return False
        self._parties_changed(summary, event)
        command = _COMMANDS.get(type(event))
        if command is not None:
            if isinstance(event, Case.InvestigatorsAssigned):
                summary.investigators = list(event.investigators)
            elif isinstance(event, Case.Escalated):
                summary.path = "investigation"
            summary.status = TRANSITIONS[command].get(summary.status, summary.status)
        return True

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

    def page(self, *, role: str, sub: str, offset: int = 0, limit: int = 50
             ) -> tuple[list[CaseSummary], int]:
        """The cases this reader may see (`shared.authz.may_see`), oldest first, and
        how many there are."""
        with self._engine.connect() as connection:
            return case_table.page(connection, case_table.seen_by(role, sub), offset, limit)

    def awaiting_response(self) -> list[UUID]:
        """The cases whose person concerned may still respond to a draft report: those
        whose response term may have passed (the case itself says whether it has)."""
        with self._engine.connect() as connection:
            return case_table.with_status(connection, TRANSITIONS["record_response"])

    # -- as a stored view (`shared.viewstore`): the rows are written as they change ----

    def dump(self) -> dict[str, Row | None]:
        return {}

    def mark(self, keys: Iterable[str]) -> None:
        """Nothing is held back to flush again."""

    def restore(self, rows: Iterable[Row]) -> None:
        """Its rows are its own table's, read by each page: none to load."""
