"""The protection use cases, on triage's application and its store (`domain/protection.py`):
the meldpunt marks persons to protect, records complaints of reprisal and its check-ins
after the closing; the melding's competent authority handles a complaint. Whoever may
see the melding reads what it protects; the melding's status is read fresh for every
attempt, so a step the procedure no longer allows is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.triage.application import TriageApplication
from services.triage.domain.procedure import Status
from services.triage.protection.domain.protection import Protection
from shared.auth import Principal
from shared.authz import acts_as_competent_authority
from shared.errors import Forbidden

CONFLICT = "The melding's protection was changed at the same time; try again."


@dataclass(frozen=True)
class Handling:
    outcome: str
    motivation: str
    measures: str = ""


def protection(triage: TriageApplication, melding_id: UUID, principal: Principal
               ) -> Protection:
    """What the melding protects; 404 alike for no melding and one not theirs."""
    triage.get_report(melding_id, principal)
    return protection_of(triage, melding_id)


def protection_of(triage: TriageApplication, melding_id: UUID) -> Protection:
    """What a melding its reader was already let see protects."""
    return _stored(triage, melding_id)


def protect(triage: TriageApplication, melding_id: UUID, *, name: str, role: str, note: str,
            principal: Principal) -> Protection:
    return _update(triage, melding_id, principal, lambda p, status: p.protect(
        name=name, role=role, note=note, status=status, by=principal.sub,
        at=triage.clock.now()))


def record_complaint(triage: TriageApplication, melding_id: UUID, *, person_id: str,
                     description: str, received_on: date, principal: Principal
                     ) -> Protection:
    return _update(triage, melding_id, principal, lambda p, status: p.record_complaint(
        person_id=person_id, description=description, received_on=received_on,
        status=status, by=principal.sub, at=triage.clock.now()))


def handle_complaint(triage: TriageApplication, melding_id: UUID, complaint_id: str,
                     handling: Handling, principal: Principal) -> Protection:
    """The melding's assigned competent authority decides on the complaint."""
    report = triage.get_report(melding_id, principal)
    if not acts_as_competent_authority(principal.role, principal.sub, triage.parties(report)):
        raise Forbidden("Only the melding's assigned competent authority handles a "
                        "complaint of reprisal.", action="melding.handle_reprisal_complaint")
    return _update(triage, melding_id, principal, lambda p, status: p.handle_complaint(
        complaint_id=complaint_id, outcome=handling.outcome, motivation=handling.motivation,
        measures=handling.measures, status=status, by=principal.sub, at=triage.clock.now()))


def check_in(triage: TriageApplication, melding_id: UUID, *, notes: str, disadvantage: bool,
             principal: Principal) -> Protection:
    return _update(triage, melding_id, principal, lambda p, status: p.check_in(
        notes=notes, disadvantage=disadvantage, status=status, by=principal.sub,
        at=triage.clock.now()))


def _update(triage: TriageApplication, melding_id: UUID, principal: Principal,
            change: Callable[[Protection, Status], object]) -> Protection:
    statuses: list[Status] = []

    def get() -> Protection:
        statuses[:] = [triage.get_report(melding_id, principal).status]
        return _stored(triage, melding_id)

    return triage.update(get, lambda p: change(p, statuses[0]), conflict=CONFLICT)


def _stored(triage: TriageApplication, melding_id: UUID) -> Protection:
    try:
        stored: Protection = triage.repository.get(Protection.create_id(melding_id))
    except AggregateNotFoundError:
        return Protection(melding_id)
    return stored
