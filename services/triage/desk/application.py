"""The desk's use cases, on triage's application and its store: the internal notes, for
whoever may see the melding (the meldpunt and the melding's competent authority write
them: the route's `melding.write_note`, and seeing it), and the meldpunt's opening of a
melding marking the reporter's replies read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.triage.application import TriageApplication
from services.triage.desk.domain.desk import Desk
from services.triage.domain.report import Report
from shared.auth import Principal
from shared.authz import is_allowed

CONFLICT = "The melding's notes were changed at the same time; try again."


def notes(triage: TriageApplication, melding_id: UUID, principal: Principal
          ) -> list[dict[str, Any]]:
    """The notes, oldest first; 404 alike for no melding and one not theirs."""
    triage.get_report(melding_id, principal)
    return notes_of(triage, melding_id)


def notes_of(triage: TriageApplication, melding_id: UUID) -> list[dict[str, Any]]:
    """The notes of a melding its reader was already let see."""
    return _desk(triage, melding_id).notes


def write_note(triage: TriageApplication, melding_id: UUID, body: str,
               principal: Principal) -> list[dict[str, Any]]:
    triage.get_report(melding_id, principal)
    desk = triage.update(lambda: _desk(triage, melding_id), lambda d: d.write_note(
        body=body, by=principal.sub, at=triage.clock.now(), melding_id=melding_id),
        conflict=CONFLICT)
    return desk.notes


def opened(triage: TriageApplication, report: Report, principal: Principal) -> None:
    """`principal` opened the melding: for the meldpunt, its replies so far are read."""
    if not is_allowed(principal.role, "melding.mark_replies_read"):
        return
    latest = max((m["at"] for m in report.messages if m["from"] == "reporter"), default=None)
    if latest is None or not _desk(triage, report.id).unread(latest):
        return

    def read(desk: Desk) -> None:
        if desk.unread(latest):
            desk.read_replies(up_to=latest, by=principal.sub, at=triage.clock.now())

    triage.update(lambda: _desk(triage, report.id), read, conflict=CONFLICT)


def _desk(triage: TriageApplication, melding_id: UUID) -> Desk:
    try:
        stored: Desk = triage.repository.get(Desk.create_id(melding_id))
    except AggregateNotFoundError:
        return Desk(melding_id)
    return stored
