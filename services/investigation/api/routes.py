"""Investigation's HTTP routes: they translate requests into commands and the case
into JSON. Who may call a route is `shared.authz`; which case an investigator may
touch is the application's `may_see`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.investigation.api.deps import Cases, Investigation
from services.investigation.api.schemas import (
    CaseList,
    CaseOut,
    CaseSummaryOut,
    ConversationIn,
    FileAnswerIn,
    FileRequestIn,
    FinalReportIn,
    HearingIn,
    HistoryEntry,
    InformedIn,
    InterimMeasureIn,
    InterviewCreated,
    InterviewIn,
    InvestigatorsIn,
    MeasuresIn,
    MotivationIn,
    OutcomeToldIn,
    PostponementIn,
    TextIn,
)
from services.investigation.domain.case import Case
from services.investigation.files import application as evidence
from services.investigation.files import attachments
from shared.auth import Principal
from shared.authz import is_allowed
from shared.deps import authorized
from shared.terms import local_date

router = APIRouter(prefix="/api", tags=["cases"])
Reader = Annotated[Principal, authorized("case.read")]
Investigator = Annotated[Principal, authorized("case.investigate")]
Escalating = Annotated[Principal, authorized("case.escalate")]
Interim = Annotated[Principal, authorized("case.interim_measures")]
Concerned = Annotated[Principal, authorized("case.person_concerned")]


@router.get("/cases", response_model=CaseList)
def list_cases(
    cases: Cases,
    principal: Reader,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CaseList:
    """The cases, oldest first, that the caller may see: an investigator's own, the
    competent authority's assigned ones, all for the meldpunt; never one the caller is
    concerned in or recused from."""
    visible, total = cases.page(role=principal.role, sub=principal.sub, offset=offset,
                                limit=limit)
    return CaseList(
        items=[CaseSummaryOut(id=str(c.id), path=c.path, theme=c.theme, status=c.status,
                              opened_at=c.opened_at, investigators=c.investigators,
                              shredded_on=local_date(c.shredded_at) if c.shredded_at else None)
               for c in visible],
        total=total,
    )


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: UUID, app: Investigation, principal: Reader) -> CaseOut:
    """The case, its status and history (for the meldpunt without its content; the
    downloads of evidence files and of the reporter's files included); 404 for a case
    the caller may not see, as for one that does not exist."""
    out = _case(app.get_case(case_id, principal), principal)
    downloads = [HistoryEntry(**h) for h in (*evidence.history(app, case_id),
                                             *attachments.history(app, case_id))]
    return out.model_copy(update={"history": sorted([*out.history, *downloads],
                                                    key=lambda h: h.at)})


@router.post("/cases/{case_id}/investigators", response_model=CaseOut)
def assign_investigators(
    case_id: UUID, body: InvestigatorsIn, app: Investigation,
    principal: Annotated[Principal, authorized("case.assign_investigators")],
) -> CaseOut:
    """Assign the investigators, from the staff directory; a conflicted one is refused
    (409) with the reason, one the directory lacks as investigator with 422."""
    return _case(app.assign_investigators(case_id, body.investigators, principal),
                 principal)


@router.post("/cases/{case_id}/investigators/{sub}", response_model=CaseOut)
def add_investigator(
    case_id: UUID, sub: str, app: Investigation,
    principal: Annotated[Principal, authorized("case.assign_investigators")],
) -> CaseOut:
    """Add an investigator to an open investigation (checked as at the assignment)."""
    return _case(app.add_investigator(case_id, sub, principal), principal)


@router.delete("/cases/{case_id}/investigators/{sub}", response_model=CaseOut)
def remove_investigator(
    case_id: UUID, sub: str, app: Investigation,
    principal: Annotated[Principal, authorized("case.assign_investigators")],
) -> CaseOut:
    """Take an investigator off an open investigation (at least one stays)."""
    return _case(app.remove_investigator(case_id, sub, principal), principal)


@router.post("/cases/{case_id}/conversation", response_model=CaseOut)
def record_conversation(
    case_id: UUID, body: ConversationIn, app: Investigation,
    principal: Annotated[Principal, authorized("case.record_conversation")],
) -> CaseOut:
    """The minutes of the conversation with the person concerned."""
    return _case(app.record_conversation(case_id, body.minutes, principal), principal)


@router.post("/cases/{case_id}/plan", response_model=CaseOut)
def record_plan(case_id: UUID, body: TextIn, app: Investigation,
                principal: Investigator) -> CaseOut:
    """The investigation plan."""
    return _case(app.record_plan(case_id, body.text, principal), principal)


@router.post("/cases/{case_id}/interviews", status_code=201, response_model=InterviewCreated)
def record_interview(case_id: UUID, body: InterviewIn, app: Investigation,
                     principal: Investigator) -> InterviewCreated:
    """The minutes of an interview."""
    _, interview_id = app.record_interview(case_id, body.interviewee, body.minutes, principal)
    return InterviewCreated(interview_id=interview_id)


@router.post("/cases/{case_id}/interviews/{interview_id}/comments", response_model=CaseOut)
def comment_on_interview(case_id: UUID, interview_id: str, body: TextIn, app: Investigation,
                         principal: Investigator) -> CaseOut:
    """The interviewee's comments on the minutes."""
    return _case(app.comment_on_interview(case_id, interview_id, body.text, principal), principal)


@router.post("/cases/{case_id}/draft-report", response_model=CaseOut)
def issue_draft_report(case_id: UUID, body: TextIn, app: Investigation,
                       principal: Investigator) -> CaseOut:
    """The draft report, on which the person concerned may respond."""
    return _case(app.issue_draft_report(case_id, body.text, principal), principal)


@router.post("/cases/{case_id}/response", response_model=CaseOut)
def record_response(case_id: UUID, body: TextIn, app: Investigation,
                    principal: Investigator) -> CaseOut:
    """The person concerned's response (zienswijze) to the draft report."""
    return _case(app.record_response(case_id, body.text, principal), principal)


@router.post("/cases/{case_id}/response-term-lapsed", response_model=CaseOut)
def record_response_lapse(case_id: UUID, app: Investigation,
                          principal: Investigator) -> CaseOut:
    """Record that the term for a response passed without one (409 before it ends)."""
    return _case(app.record_response_lapse(case_id, principal), principal)


@router.post("/cases/{case_id}/final-report", response_model=CaseOut)
def issue_final_report(case_id: UUID, body: FinalReportIn, app: Investigation,
                       principal: Investigator) -> CaseOut:
    """The final report and its conclusion, after the response or its term."""
    return _case(app.issue_final_report(case_id, body.text, body.conclusion, principal), principal)


@router.post("/cases/{case_id}/measures", response_model=CaseOut)
def take_measures(
    case_id: UUID, body: MeasuresIn, app: Investigation,
    principal: Annotated[Principal, authorized("case.take_measures")],
) -> CaseOut:
    """The competent authority's measures (or 'none'); they close the case."""
    measures = [m.model_dump() for m in body.measures]
    return _case(app.take_measures(case_id, measures, body.feedback, principal,
                                   interim_ending=body.interim_ending,
                                   interim_kept=body.interim_kept), principal)


@router.post("/cases/{case_id}/escalation", response_model=CaseOut)
def escalate(case_id: UUID, body: MotivationIn, app: Investigation,
             principal: Escalating) -> CaseOut:
    """Turn the conversation into an investigation, with a motivation."""
    return _case(app.escalate(case_id, body.motivation, principal), principal)


@router.post("/cases/{case_id}/interim-measures", response_model=CaseOut)
def take_interim_measure(case_id: UUID, body: InterimMeasureIn, app: Investigation,
                         principal: Interim) -> CaseOut:
    """An interim measure (suspension, non-active duty, a change of duties) while the
    investigation runs, with a motivation."""
    return _case(app.take_interim_measure(case_id, body.kind, body.motivation, principal),
                 principal)


@router.post("/cases/{case_id}/interim-measures/{measure_id}/lifting", response_model=CaseOut)
def lift_interim_measure(case_id: UUID, measure_id: str, body: MotivationIn,
                         app: Investigation, principal: Interim) -> CaseOut:
    """Lift an interim measure, with a motivation (409 for one lifted already)."""
    return _case(app.lift_interim_measure(case_id, measure_id, body.motivation, principal),
                 principal)


@router.post("/cases/{case_id}/person-concerned/informed", response_model=CaseOut)
def inform_person_concerned(case_id: UUID, body: InformedIn, app: Investigation,
                            principal: Concerned) -> CaseOut:
    """When, and by whom, the person concerned was informed of the melding."""
    return _case(app.inform_person_concerned(case_id, body.informed_on, body.informed_by,
                                             principal), principal)


@router.post("/cases/{case_id}/person-concerned/postponement", response_model=CaseOut)
def postpone_informing(case_id: UUID, body: PostponementIn, app: Investigation,
                       principal: Concerned) -> CaseOut:
    """Not informing them yet, in the investigation's interest: why, and until when."""
    return _case(app.postpone_informing(case_id, body.reason, body.until, principal),
                 principal)


@router.post("/cases/{case_id}/person-concerned/hearing", response_model=CaseOut)
def record_hearing(case_id: UUID, body: HearingIn, app: Investigation,
                   principal: Concerned) -> CaseOut:
    """Their hearing before the decision (409 before they are informed)."""
    return _case(app.record_hearing(case_id, body.held_on, body.minutes, principal),
                 principal)


@router.post("/cases/{case_id}/person-concerned/file-requests", response_model=CaseOut)
def record_file_request(case_id: UUID, body: FileRequestIn, app: Investigation,
                        principal: Concerned) -> CaseOut:
    """Their request to see the file."""
    return _case(app.record_file_request(case_id, body.requested_on, principal), principal)


@router.post("/cases/{case_id}/person-concerned/file-requests/{request_id}/answer",
             response_model=CaseOut)
def answer_file_request(case_id: UUID, request_id: str, body: FileAnswerIn,
                        app: Investigation, principal: Concerned) -> CaseOut:
    """The answer to a request to see the file: granted or not, and why."""
    return _case(app.answer_file_request(case_id, request_id, body.granted, body.answer,
                                         principal), principal)


@router.post("/cases/{case_id}/person-concerned/outcome", response_model=CaseOut)
def tell_outcome(case_id: UUID, body: OutcomeToldIn, app: Investigation,
                 principal: Concerned) -> CaseOut:
    """When they were told the outcome (once the case is closed)."""
    return _case(app.tell_outcome(case_id, body.told_on, principal), principal)


def _case(case: Case, principal: Principal) -> CaseOut:
    summary = CaseOut(
        id=str(case.id), path=case.path,
        status=case.status, outcome=case.outcome,
        theme=case.theme, involved=case.involved, opened_at=case.opened_at,
        investigators=case.investigators, competent_authority=case.competent_authority,
        content_withheld=True, description=None, conversation=None, plan=None,
        interviews=[], evidence=[], draft_report=None, response=None, final_report=None,
        measures=case.measures, history=[HistoryEntry(**h) for h in case.history],
        response_term_ends=case.response_term_ends, steps=case.steps,
    )
    if not is_allowed(principal.role, "case.read_content"):
        return summary
    return summary.model_copy(update=dict(
        content_withheld=False, description=case.description,
        conversation=case.conversation, plan=case.plan, interviews=case.interviews,
        evidence=case.evidence, draft_report=case.draft_report,
        draft_reports=case.draft_reports, response=case.response,
        final_report=case.final_report, escalation=case.escalation,
        interim_measures=case.interim_measures, person_concerned={
            "informed": case.informed, "postponements": case.postponements,
            "postponed_until": case.informing_postponed_until, "hearings": case.hearings,
            "file_requests": case.file_requests, "outcome_told": case.outcome_told}))
