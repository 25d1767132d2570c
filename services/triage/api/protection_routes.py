"""Triage's routes for protection against disadvantage (benadeling): the persons a
melding protects, complaints of reprisal and their handling, the check-ins after the
closing, and the list of check-ins due (docs/handling.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from services.triage.api.deps import Parts, Triage
from services.triage.api.schemas import Text
from services.triage.protection.application import (
    Handling,
    check_in,
    handle_complaint,
    protect,
    protection,
    record_complaint,
)
from services.triage.protection.domain.protection import Protection
from services.triage.protection.views import FollowUp
from shared.auth import Principal
from shared.contracts import ProtectedRole, ReprisalOutcome
from shared.deps import authorized
from shared.errors import DomainError

router = APIRouter(prefix="/api", tags=["protection"])
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


async def _follow_up(parts: Parts) -> FollowUp:
    return parts.follow_up


FollowUpView = Annotated[FollowUp, Depends(_follow_up)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonIn(_In):
    name: Name = Field(description="who is protected (kept under the melding's key)")
    role: ProtectedRole
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)] = Field(
        "", description="why or how, for the meldpunt (optional)")


class ComplaintIn(_In):
    person_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                max_length=20)]
    description: Text = Field(description="the disadvantage complained of")
    received_on: date = Field(description="the day the complaint reached the meldpunt")


class HandlingIn(_In):
    outcome: ReprisalOutcome
    motivation: Text
    measures: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)] = (
        Field("", description="what is done to end or repair the disadvantage"))


class CheckInIn(_In):
    disadvantage: StrictBool = Field(description="whether any disadvantage was found")
    notes: Text = Field(description="what the check-in found")


class ProtectionOut(BaseModel):
    persons: list[dict[str, Any]] = Field(description="{person_id, name, role, note, by, at}")
    complaints: list[dict[str, Any]] = Field(
        description="{complaint_id, person_id, description, received_on, by, at, handling: "
                    "{outcome, motivation, measures, by, at} or null}")
    check_ins: list[dict[str, Any]] = Field(description="{notes, disadvantage, by, at}")
    check_in_due_by: datetime | None = Field(
        description="while the closed melding waits for a check-in: by when")


class CheckInDueOut(BaseModel):
    melding_id: str
    closed_at: datetime
    due_by: datetime
    overdue: bool


class CheckInsDueOut(BaseModel):
    items: list[CheckInDueOut] = Field(description="nearest term first")


@router.get("/meldingen/{melding_id}/protection", response_model=ProtectionOut)
def read_protection(melding_id: UUID, triage: Triage, follow_up: FollowUpView,
                    principal: Annotated[Principal, authorized("melding.read")]
                    ) -> ProtectionOut:
    """Whom the melding protects, the complaints of reprisal and the check-ins."""
    return protection_out(protection(triage, melding_id, principal), follow_up)


@router.post("/meldingen/{melding_id}/protected-persons", status_code=201,
             response_model=ProtectionOut)
def add_person(melding_id: UUID, body: PersonIn, triage: Triage, follow_up: FollowUpView,
               principal: Annotated[Principal, authorized("melding.protect")]
               ) -> ProtectionOut:
    """Mark the reporter, a helper or a witness as a person to protect (while the
    melding is handled; 409 once it is closed)."""
    return protection_out(protect(triage, melding_id, name=body.name, role=body.role,
                                  note=body.note, principal=principal), follow_up)


@router.post("/meldingen/{melding_id}/reprisal-complaints", status_code=201,
             response_model=ProtectionOut)
def add_complaint(melding_id: UUID, body: ComplaintIn, triage: Triage,
                  follow_up: FollowUpView,
                  principal: Annotated[Principal, authorized("melding.protect")]
                  ) -> ProtectionOut:
    """A complaint of reprisal against one of the melding's protected persons, at any
    stage (also after the closing)."""
    return protection_out(record_complaint(
        triage, melding_id, person_id=body.person_id, description=body.description,
        received_on=body.received_on, principal=principal), follow_up)


@router.post("/meldingen/{melding_id}/reprisal-complaints/{complaint_id}/handling",
             response_model=ProtectionOut)
def handle(melding_id: UUID, complaint_id: Annotated[str, Path(max_length=20)],
           body: HandlingIn, triage: Triage,
           follow_up: FollowUpView,
           principal: Annotated[Principal, authorized("melding.handle_reprisal_complaint")]
           ) -> ProtectionOut:
    """The melding's competent authority's handling of a complaint, motivated (409 for
    one handled already)."""
    return protection_out(handle_complaint(
        triage, melding_id, complaint_id, Handling(body.outcome, body.motivation, body.measures),
        principal), follow_up)


@router.post("/meldingen/{melding_id}/protection-check-ins", status_code=201,
             response_model=ProtectionOut)
def add_check_in(melding_id: UUID, body: CheckInIn, triage: Triage, follow_up: FollowUpView,
                 principal: Annotated[Principal, authorized("melding.protect")]
                 ) -> ProtectionOut:
    """The meldpunt's check-in with the protected persons after the closing (409 before)."""
    return protection_out(check_in(triage, melding_id, notes=body.notes,
                                   disadvantage=body.disadvantage, principal=principal),
                          follow_up)


@router.get("/protection-check-ins", response_model=CheckInsDueOut)
def check_ins_due(triage: Triage, follow_up: FollowUpView,
                  principal: Annotated[Principal, authorized("melding.protect")]
                  ) -> CheckInsDueOut:
    """The closed meldingen whose protected persons wait for a check-in, of those the
    caller may see (`MELDINGEN_PROTECTION_FOLLOW_UP_DAYS` after the closing)."""
    now = triage.clock.now()
    items = []
    for due in follow_up.due():
        try:
            triage.get_report(due.melding_id, principal)
        except DomainError:
            # Concerned or recused: not theirs to see; damaged (noted for /readyz) or
            # shredded the moment before: nothing to check in on.
            continue
        items.append(CheckInDueOut(melding_id=str(due.melding_id), closed_at=due.closed_at,
                                   due_by=due.due_by, overdue=now > due.due_by))
    return CheckInsDueOut(items=items)


def protection_out(stored: Protection, follow_up: FollowUp) -> ProtectionOut:
    return ProtectionOut(persons=stored.persons, complaints=stored.complaints,
                         check_ins=stored.check_ins,
                         check_in_due_by=follow_up.due_by(stored.melding_id))
