"""Triage's HTTP routes for the meldpunt and the competent authority: they translate
requests into commands and the melding into JSON."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.triage.api.deps import QueueView, Triage
from services.triage.api.schemas import (
    AssessmentIn,
    DeadlinesOut,
    DecisionIn,
    HistoryEntry,
    MeldingOut,
    MessageIn,
    MessageOut,
    QueueItem,
    QueuePage,
)
from services.triage.application import Assessment, Decision
from services.triage.domain.report import Report, Status
from shared.auth import Principal
from shared.authz import is_allowed
from shared.contracts import NamedIdentity, Theme
from shared.deps import authorized
from shared.terms import deadlines, is_overdue

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.get("/meldingen", response_model=QueuePage)
def list_meldingen(
    queue: QueueView,
    triage: Triage,
    _: Annotated[Principal, authorized("melding.list")],
    status: Status | None = None,
    theme: Theme | None = None,
    overdue: bool | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QueuePage:
    """The queue, oldest first, filtered by status, theme and missed terms."""
    now = triage.clock.now()
    page = queue.page(status=status, theme=theme, overdue=overdue, now=now,
                      offset=offset, limit=limit)
    items = [
        QueueItem(id=str(e.id), kind=e.kind, theme=e.theme, channel=e.channel,
                  anonymous=e.anonymous, status=e.status, received_at=e.received_at,
                  deadlines=DeadlinesOut(acknowledge_by=e.deadlines.acknowledge_by,
                                         feedback_by=e.deadlines.feedback_by),
                  overdue=e.overdue(now))
        for e in page.entries
    ]
    return QueuePage(items=items, total=page.total, offset=offset, limit=limit)


@router.get("/meldingen/{melding_id}", response_model=MeldingOut)
def get_melding(
    melding_id: UUID,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.read")],
) -> MeldingOut:
    """The melding, its status, deadlines and history."""
    return _melding(triage.get_report(melding_id), principal, triage)


@router.post("/meldingen/{melding_id}/assessment", response_model=MeldingOut)
def assess(
    melding_id: UUID,
    body: AssessmentIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.assess")],
) -> MeldingOut:
    """The meldpunt's assessment and advice; an inadmissible melding is closed."""
    report = triage.assess(melding_id, Assessment(**body.model_dump()), by=principal.sub)
    return _melding(report, principal, triage)


@router.post("/meldingen/{melding_id}/decision", response_model=MeldingOut)
def decide(
    melding_id: UUID,
    body: DecisionIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.decide")],
) -> MeldingOut:
    """The competent authority's decision, only after an assessment."""
    decision = Decision(outcome=tuple(body.outcome), motivation=body.motivation,
                        police_report_on=body.police_report_on, feedback=body.feedback)
    report = triage.decide(melding_id, decision, by=principal.sub)
    return _melding(report, principal, triage)


@router.post("/meldingen/{melding_id}/messages", status_code=201, response_model=MeldingOut)
def message_reporter(
    melding_id: UUID,
    body: MessageIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.message_reporter")],
) -> MeldingOut:
    """A message to the reporter's mailbox."""
    report = triage.message_reporter(melding_id, body.body, purpose=body.purpose,
                                     by=principal.sub)
    return _melding(report, principal, triage)


def visible_identity(report: Report, principal: Principal) -> NamedIdentity | None:
    """A named reporter's identity, for whom the table allows it; an anonymous one's is
    for nobody here."""
    if not is_allowed(principal.role, "melding.read_identity"):
        return None
    if report.anonymous or not report.identity:
        return None
    return NamedIdentity(**report.identity)


def _melding(report: Report, principal: Principal, triage: Triage) -> MeldingOut:
    terms = deadlines(report.received_at, report.acknowledged_at)
    return MeldingOut(
        id=str(report.id), kind=report.kind, theme=report.theme, channel=report.channel,
        description=report.description, involved=report.involved, occurred=report.occurred,
        anonymous=report.anonymous, identity=visible_identity(report, principal),
        status=report.status,
        received_at=report.received_at, acknowledged_at=report.acknowledged_at,
        deadlines=DeadlinesOut(acknowledge_by=terms.acknowledge_by,
                               feedback_by=terms.feedback_by),
        overdue=is_overdue(terms, report.acknowledged_at, report.feedback_at,
                           triage.clock.now()),
        feedback_at=report.feedback_at,
        assessment=report.assessment, decision=report.decision, closing=report.closure,
        messages=[MessageOut(sender=m["from"], body=m["body"], purpose=m["purpose"],
                             at=m["at"]) for m in report.messages],
        history=[HistoryEntry(**h) for h in report.history],
        steps=report.steps,
    )
