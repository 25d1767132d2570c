"""Triage's HTTP routes for the meldpunt and the competent authority: they translate
requests into commands and the melding into JSON."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter

from services.triage.api.deps import Parts, Triage
from services.triage.api.schemas import (
    AssessmentIn,
    ClosingFeedbackIn,
    ClosingFeedbackOut,
    CompetentAuthorityOut,
    DeadlinesOut,
    DecisionIn,
    FeedbackTemplatesOut,
    HistoryEntry,
    HoldIn,
    HoldOut,
    IdentityReadOut,
    MeldingOut,
    MessageIn,
    MessageOut,
    PoliceReportIn,
    ReassignmentIn,
    RecusalIn,
    ReopeningIn,
    RetentionRunOut,
    ShreddedOut,
)
from services.triage.desk.application import opened
from services.triage.domain.commands import Assessment, Decision, PoliceReport
from services.triage.domain.report import Report
from services.triage.files.application import history as file_history
from shared.auth import Principal
from shared.authz import is_allowed
from shared.contracts import NamedIdentity
from shared.deps import authorized
from shared.terms import closing_feedback_due, deadlines, is_overdue, local_date

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.get("/meldingen/{melding_id}", response_model=MeldingOut)
def get_melding(
    melding_id: UUID,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.read")],
) -> MeldingOut:
    """The melding, its status, deadlines, competent authority and history; a named
    reporter's identity for whom it may be shown (each such read is recorded); the
    meldpunt's opening marks the reporter's replies read."""
    report, identity = triage.read(melding_id, principal)
    opened(triage, report, principal)
    return melding_out(report, principal, triage, identity)


@router.post("/meldingen/{melding_id}/assessment", response_model=MeldingOut)
def assess(
    melding_id: UUID,
    body: AssessmentIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.assess")],
) -> MeldingOut:
    """The meldpunt's assessment and advice, and who is concerned, from which the
    routing table picks the competent authority; an inadmissible melding is closed."""
    fields = body.model_dump()
    fields["concerned_staff"] = tuple(fields["concerned_staff"])
    report = triage.assess(melding_id, Assessment(**fields), principal)
    return melding_out(report, principal, triage)


@router.post("/meldingen/{melding_id}/decision", response_model=MeldingOut)
def decide(
    melding_id: UUID,
    body: DecisionIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.decide")],
) -> MeldingOut:
    """The assigned competent authority's decision, only after an assessment."""
    decision = Decision(outcome=tuple(body.outcome), motivation=body.motivation,
                        police_report_on=body.police_report_on, feedback=body.feedback,
                        referral_to=body.referral_to,
                        police_report_motivation=body.police_report_motivation)
    report = triage.decide(melding_id, decision, principal)
    return melding_out(report, principal, triage)


@router.post("/meldingen/{melding_id}/police-reports", status_code=201,
             response_model=MeldingOut)
def record_police_report(
    melding_id: UUID,
    body: PoliceReportIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.record_police_report")],
) -> MeldingOut:
    """A police report (aangifte) filed about the melding, at any stage."""
    report = triage.record_police_report(
        melding_id, PoliceReport(filed_on=body.filed_on,
                                 registration_number=body.registration_number), principal)
    return melding_out(report, principal, triage)


@router.post("/meldingen/{melding_id}/reopening", response_model=MeldingOut)
def reopen(
    melding_id: UUID,
    body: ReopeningIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.reopen")],
) -> MeldingOut:
    """The assigned competent authority reopens a closed melding, with a motivation: it
    awaits a new decision, and the feedback term runs anew."""
    return melding_out(triage.reopen(melding_id, body.motivation, principal), principal, triage)


@router.post("/meldingen/{melding_id}/messages", status_code=201, response_model=MeldingOut)
def message_reporter(
    melding_id: UUID,
    body: MessageIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.message_reporter")],
) -> MeldingOut:
    """A message to the reporter's mailbox."""
    report = triage.message_reporter(melding_id, body.body, purpose=body.purpose,
                                     principal=principal)
    return melding_out(report, principal, triage)


@router.post("/meldingen/{melding_id}/closing-feedback", status_code=201,
             response_model=MeldingOut)
def give_closing_feedback(
    melding_id: UUID,
    body: ClosingFeedbackIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.give_closing_feedback")],
) -> MeldingOut:
    """The closing feedback in the meldpunt's words, to the reporter's mailbox: once
    (409 after), only for a closed melding (409 before), never with a gap left (422)."""
    report = triage.give_closing_feedback(melding_id, body.body, principal)
    return melding_out(report, principal, triage)


@router.get("/meldingen/{melding_id}/feedback-templates", response_model=FeedbackTemplatesOut)
def feedback_templates(
    melding_id: UUID,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.message_reporter")],
) -> FeedbackTemplatesOut:
    """The feedback templates in the reporter's language, for the meldpunt to start its
    own text from (the 3-month feedback, the closing feedback)."""
    language, templates = triage.feedback_templates(melding_id, principal)
    return FeedbackTemplatesOut(language=language, templates=templates)


@router.post("/meldingen/{melding_id}/competent-authority", response_model=MeldingOut)
def reassign(
    melding_id: UUID,
    body: ReassignmentIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.reassign")],
) -> MeldingOut:
    """The meldpunt assigns another competent authority, with a motivation (also for a
    melding routing flagged)."""
    report = triage.reassign(melding_id, body.competent_authority, body.motivation,
                             principal)
    return melding_out(report, principal, triage)


@router.post("/meldingen/{melding_id}/legal-hold", status_code=201, response_model=MeldingOut)
def place_hold(
    melding_id: UUID,
    body: HoldIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.hold")],
) -> MeldingOut:
    """A legal hold (a court case, a complaint), with its motivation: the melding is not
    shredded while it lasts, whatever its term. 409 if one is placed already."""
    return melding_out(triage.place_hold(melding_id, body.motivation, principal), principal,
                    triage)


@router.post("/meldingen/{melding_id}/legal-hold/lifting", response_model=MeldingOut)
def lift_hold(
    melding_id: UUID,
    body: HoldIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.hold")],
) -> MeldingOut:
    """Lift the legal hold, with a motivation: from now on its term counts again (a
    melding past it is shredded at the next check). 409 if none is placed."""
    return melding_out(triage.lift_hold(melding_id, body.motivation, principal), principal,
                    triage)


@router.post("/retention/run", response_model=RetentionRunOut)
def run_retention(
    parts: Parts,
    principal: Annotated[Principal, authorized("retention.run")],
) -> RetentionRunOut:
    """Shred now every melding due today and not held, as the daily check does; what
    was shredded (ids, term, day; nothing of the content)."""
    return RetentionRunOut(shredded=[
        ShreddedOut(melding_id=s.melding_id, term=s.term or "",
                    shredded_on=local_date(s.shredded_at))
        for s in parts.retention.run()])


@router.post("/meldingen/{melding_id}/recusal", status_code=204)
def recuse(
    melding_id: UUID,
    body: RecusalIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.recuse")],
) -> None:
    """Declare a conflict of interest: from now on the melding is not yours to see
    (in every service)."""
    triage.recuse(melding_id, body.reason, principal)


def melding_out(report: Report, principal: Principal, triage: Triage,
             identity: dict[str, Any] | None = None) -> MeldingOut:
    """The melding as JSON; the identity only as `Triage.read` handed it out, and the
    log of identity reads for the meldpunt."""
    terms = deadlines(report.received_at, report.term_start)
    return MeldingOut(
        id=str(report.id), kind=report.kind, theme=report.theme, channel=report.channel,
        description=report.description, involved=report.involved, occurred=report.occurred,
        anonymous=report.anonymous,
        identity=NamedIdentity(**identity) if identity else None,
        identity_consent=None if report.anonymous else report.identity_consent,
        identity_reads=([IdentityReadOut(**r) for r in report.identity_reads]
                        if is_allowed(principal.role, "melding.read_all") else None),
        status=report.status,
        received_at=report.received_at, acknowledged_at=report.acknowledged_at,
        deadlines=DeadlinesOut(acknowledge_by=terms.acknowledge_by,
                               feedback_by=terms.feedback_by),
        overdue=is_overdue(terms, report.acknowledged_at, report.feedback_at,
                           triage.clock.now()),
        feedback_at=report.feedback_at,
        assessment=report.assessment, decision=report.decision, closing=report.closure,
        earlier_assessments=report.earlier_assessments,
        earlier_decisions=report.earlier_decisions, reopened_at=report.reopened_at,
        police_reports=report.police_reports,
        concerns=report.concerns, concerned_staff=report.concerned_staff,
        competent_authority=(CompetentAuthorityOut(**authority)
                             if (authority := triage.competent_authority(report)) else None),
        messages=[MessageOut(sender=m["from"], body=m["body"], purpose=m["purpose"],
                             at=m["at"]) for m in report.messages],
        history=[HistoryEntry(**h) for h in sorted(
            [*report.history, *file_history(triage, report.id)], key=lambda h: h["at"])],
        record_status=report.record_status, meeting_due_by=report.meeting_due_by,
        steps=report.steps,
        legal_hold=HoldOut(**report.hold) if report.hold else None,
        closing_feedback=_closing_feedback(report, principal, triage),
    )


def _closing_feedback(report: Report, principal: Principal,
                      triage: Triage) -> ClosingFeedbackOut | None:
    due = report.closing_feedback
    if due is None or not is_allowed(principal.role, "melding.give_closing_feedback"):
        return None
    due_by = closing_feedback_due(due["due_since"], triage.closing_feedback_days)
    return ClosingFeedbackOut(start=due["start"], advice=due["advice"], due_by=due_by,
                              overdue=due["given_at"] is None and due_by < triage.clock.now(),
                              given_at=due["given_at"])
