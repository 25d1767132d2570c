"""A melding's page (`/meldingen/{id}`): what triage shows of it (description, persons
concerned, a named reporter's identity for whom it may see it, the routing), its
history, the mailbox conversation with a reply box, and the form of the step it is at:
the meldpunt's assessment (with who is concerned, chosen from the directory), then the
competent authority's decision; beside them the meldpunt's reassignment with a
motivation, the meldpunt's legal hold (placed or lifted with a motivation), the
closing feedback the meldpunt writes once the melding is closed (prefilled with the
template's start, what the competent authority wrote beside it) and, for
every staff role, a recusal with a reason. Each form posts to
triage as the signed-in person, in a role that may see this melding; what triage
refuses is shown on the same page, the fields it named marked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.adapters.calls import Acting, Refusal
from services.console.adapters.investigation import Case
from services.console.adapters.triage import Melding
from services.console.web import browser
from services.console.web.access import SignedIn, console
from services.console.web.files_part import files_context
from services.console.web.forms import PageOf
from services.console.web.intake_part import melding_context
from services.console.web.pages import form_errors, person_for, refused, services
from services.console.web.protection_part import protection_context
from services.console.web.rendering import first, posted_fields, render
from shared.authz import MeldingParties
from shared.contracts import Concerns, MessagePurpose, Outcome, ReferralTarget, Severity, Theme

router = APIRouter(include_in_schema=False)

#: The assessment's yes/no questions, then its other fields.
VERDICTS: tuple[str, ...] = ("admissible", "reasonable_grounds", "code_violation",
                             "official_crime")
ASSESSMENT: tuple[str, ...] = (*VERDICTS, "severity", "theme", "advice", "motivation",
                               "feedback", "concerns", "concerned_staff")
DECISION: tuple[str, ...] = ("outcome", "motivation", "referral_to",
                             "police_report_motivation", "feedback")
MESSAGE: tuple[str, ...] = ("body", "purpose")
#: Its motivation has a name of its own: the decision's form may be on the same page.
REASSIGNMENT: tuple[str, ...] = ("competent_authority", "reassignment_motivation")
RECUSAL: tuple[str, ...] = ("reason",)
#: Named apart from the message's `body`: both forms are on the same page.
NOTE: tuple[str, ...] = ("note",)
#: The closing feedback's text, named apart from the message's `body` on the same page.
CLOSING: tuple[str, ...] = ("closing_feedback",)
#: The legal hold's motivation, placing or lifting it.
HOLD: tuple[str, ...] = ("hold_motivation",)
#: The forms of triage's steps, offered when triage says the step is allowed now and
#: the person may take it on this melding: the decision first, since an assessed
#: melding also takes a re-assessment, which is the meldpunt's alone.
STEPS = (("decide", "melding.decide"), ("assess", "melding.assess"))
#: Each form's path under the melding -> its action.
POSTS = {"assessment": "melding.assess", "decision": "melding.decide",
         "messages": "melding.message_reporter", "competent-authority": "melding.reassign",
         "recusal": "melding.recuse", "notes": "melding.write_note",
         "legal-hold": "melding.hold", "legal-hold-lifting": "melding.hold",
         "closing-feedback": "melding.give_closing_feedback"}


@router.get("/meldingen/{melding_id}", response_class=HTMLResponse)
async def melding_page(request: Request, melding_id: str) -> Response:
    found = person_for(request, "melding.read")
    if isinstance(found, Response):
        return found
    person, acting = found
    return await _page(request, person, acting, melding_id)


async def _page(request: Request, person: SignedIn, acting: Acting, melding_id: str, *,
                status_code: int = 200, form: str | None = None,
                errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                refusal: Refusal | None = None, failure: str | None = None) -> Response:
    # The melding and what the page shows of triage's in one call; the case and
    # intake's record beside the parts still to ask, at once.
    try:
        read = await services(request).triage.melding_page(acting, melding_id)
    except Refusal as failed:
        return refused(request, person, failed)
    melding, notes = read.page.melding, read.page.notes
    parties = parties_of(melding)
    case, intake_part, protection_part, files_part = await asyncio.gather(
        _case_of(request, person, melding),
        melding_context(request, person, read, parties),
        protection_context(request, person, read, parties),
        files_context(request, person, read, parties))
    # By time only: entries at the same moment keep the order the services gave them.
    history = sorted([(e.at, e.what, e.who) for e in melding.history]
                     + [(e.at, e.what, e.who) for e in (case.history if case else [])],
                     key=lambda entry: entry[0])

    def offered(step: str, action: str) -> bool:
        return step in melding.steps and person.acting(action, parties) is not None

    step = next((name for name, action in STEPS if offered(name, action)), None)
    may_reassign = offered("reassign", "melding.reassign")
    return render(
        request, person.session, "melding.html", status_code=status_code,
        switch=f"/meldingen/{melding_id}", member=person.member, melding=melding,
        case=case, history=history,
        step=step, staff=_directory(request) if step == "assess" else [],
        authorities=_directory(request, "competent_authority") if may_reassign else [],
        may_reassign=may_reassign, may_recuse=offered("recuse", "melding.recuse"),
        may_message=offered("message_reporter", "melding.message_reporter"),
        notes=notes, may_note=person.acting("melding.write_note", parties) is not None,
        may_hold=person.acting("melding.hold", parties) is not None,
        closing_due=_closing_due(melding, offered),
        form=form, errors=errors or {}, values=values or {}, refusal=refusal,
        failure=failure,
        done=request.query_params.get("done"),
        vocab={"themes": get_args(Theme), "severities": get_args(Severity),
               "outcomes": get_args(Outcome), "purposes": get_args(MessagePurpose),
               "concerns": get_args(Concerns),
               "referral_targets": get_args(ReferralTarget)},
        **intake_part, **protection_part, **files_part)


def _closing_due(melding: Melding, offered: Callable[[str, str], bool]) -> bool:
    """The closing feedback's form: for the meldpunt, once closed and while it is due."""
    due = melding.closing_feedback
    return (due is not None and due.given_at is None
            and offered("give_closing_feedback", "melding.give_closing_feedback"))


def parties_of(melding: Melding) -> MeldingParties:
    """The melding's parties as far as triage shows them to this reader (whoever is
    excluded is not shown the melding at all)."""
    routed = melding.competent_authority
    return MeldingParties(competent_authority=routed.sub if routed else None)


def _directory(request: Request, role: str | None = None) -> list[tuple[str, str]]:
    """The active staff (with `role`) to choose from, as (login name, "name (login)")."""
    return [(m.sub, f"{m.name} ({m.sub})") for m in console(request).staff()
            if not m.disabled and (role is None or role in m.roles)]


async def _case_of(request: Request, person: SignedIn, melding: Melding) -> Case | None:
    """The case that followed the decision, where there is one the person may see."""
    acting = person.acting("case.read", parties_of(melding))
    if acting is None or melding.status not in ("decided", "closed"):
        return None
    try:
        return await services(request).investigation.case(acting, melding.id)
    except Refusal:
        return None  # no case (yet), or not one of the person's


def _verdict(value: str) -> bool | str:
    # The form's radio values; anything else goes to triage as typed, to be refused.
    return {"true": True, "false": False}.get(value, value)


def _assessment(posted: dict[str, list[str]]) -> dict[str, Any]:
    body: dict[str, Any] = {"concerned_staff": [v for v in posted.get("concerned_staff", [])
                                                if v]}
    for name in ASSESSMENT[:-1]:
        value = first(posted, name).strip()
        if value:
            body[name] = _verdict(value) if name in VERDICTS else value
    return body


def _decision(posted: dict[str, list[str]]) -> dict[str, Any]:
    body: dict[str, Any] = {"outcome": [v for v in posted.get("outcome", []) if v]}
    for name in DECISION[1:]:
        value = first(posted, name).strip()
        if value:
            body[name] = value
    return body


def _errors(refusal: Refusal, fields: tuple[str, ...]) -> dict[str, str]:
    """The fields triage named, as this page's forms call them."""
    if fields == NOTE:
        return {"note": "note"} if form_errors(refusal, ("body",)) else {}
    if fields == CLOSING:
        return {"closing_feedback": "closing_feedback"} if form_errors(
            refusal, ("body",)) else {}
    if fields == HOLD:
        return {"hold_motivation": "hold_motivation"} if refusal.fields else {}
    if fields != REASSIGNMENT:
        return form_errors(refusal, fields)
    named = form_errors(refusal, ("competent_authority", "motivation"))
    return {("reassignment_motivation" if name == "motivation" else name): key
            for name, key in named.items()}


@router.post("/meldingen/{melding_id}/{step}", response_class=HTMLResponse)
async def melding_step(request: Request, melding_id: str, step: str) -> Response:
    posted = await posted_fields(request)
    action = POSTS.get(step)
    if action is None:
        return Response(status_code=404)
    found = person_for(request, action)
    if isinstance(found, Response):
        return found
    person, acting = found
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return await _page(request, person, acting, melding_id, status_code=403,
                           failure="form_expired")
    triage = services(request).triage
    values = {name: posted.get(name, [])
              for name in ASSESSMENT + DECISION + MESSAGE + REASSIGNMENT + RECUSAL + NOTE
              + HOLD + CLOSING}
    try:
        if step == "recusal":
            fields = RECUSAL
            await triage.recuse(acting, melding_id, reason=first(posted, "reason").strip())
            # From now on the melding is not the person's to see.
            return RedirectResponse("/queue?done=recusal", 303)
        if step == "competent-authority":
            fields = REASSIGNMENT
            await triage.reassign(acting, melding_id,
                                  competent_authority=first(posted, "competent_authority"),
                                  motivation=first(posted, "reassignment_motivation").strip())
        elif step in ("legal-hold", "legal-hold-lifting"):
            fields = HOLD
            await triage.hold(acting, melding_id, first(posted, "hold_motivation").strip(),
                              lift=step == "legal-hold-lifting")
        elif step == "closing-feedback":
            fields = CLOSING
            await triage.give_closing_feedback(acting, melding_id,
                                               first(posted, "closing_feedback").strip())
        elif step == "notes":
            fields = NOTE
            await triage.note(acting, melding_id, first(posted, "note").strip())
        elif step == "assessment":
            fields = ASSESSMENT
            await triage.assess(acting, melding_id, _assessment(posted))
        elif step == "decision":
            fields = DECISION
            await triage.decide(acting, melding_id, _decision(posted))
        else:
            fields = MESSAGE
            await triage.message(acting, melding_id, body=first(posted, "body").strip(),
                                 purpose=first(posted, "purpose") or "message")
    except Refusal as refusal:
        # The melding page itself with the posted form as typed and triage's reasons.
        read = person.acting("melding.read") or acting
        return await _page(request, person, read, melding_id, status_code=refusal.status,
                           form=step, errors=_errors(refusal, fields), values=values,
                           refusal=refusal)
    return RedirectResponse(f"/meldingen/{melding_id}?done={step}", 303)


def shown_again(request: Request, melding_id: str) -> PageOf:
    """The melding page once more, in a role that may read it, with what the service a
    form posted to refused."""
    async def again(person: SignedIn, acting: Acting, **shown: Any) -> Response:
        return await _page(request, person, person.acting("melding.read") or acting,
                           melding_id, **shown)
    return again
