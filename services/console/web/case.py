"""The cases: the list (`/cases`: an investigator's own, every case for the competent
authority, as investigation decides) and a case's page (`/cases/{id}`) with what it
holds so far and the forms of the steps investigation allows now, for whom the table
allows them. Each form posts to investigation as the signed-in person; what it
refuses is shown on the same page with the fields it named."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.adapters.calls import Acting, Refusal
from services.console.api.deps import parts
from services.console.web import browser
from services.console.web.access import SignedIn, console
from services.console.web.case_steps import MEASURE_ROWS, STEPS, applies, body_of, errors_of
from services.console.web.evidence_upload import (
    file_errors,
    limits_shown,
    opened,
    posted_with_file,
    takes_file,
)
from services.console.web.files_part import case_files_context
from services.console.web.pages import person_for, refused, services
from services.console.web.rendering import PAGE_SIZE, page_offset, render
from shared.authz import MeldingParties
from shared.contracts import Conclusion, InterimMeasureKind, MeasureKind, MeasureTarget
from shared.files.upload import Received, workdir

router = APIRouter(include_in_schema=False)



@router.get("/cases", response_class=HTMLResponse)
async def cases(request: Request) -> Response:
    found = person_for(request, "case.read")
    if isinstance(found, Response):
        return found
    person, acting = found
    offset = page_offset(request)
    if offset is None:
        return render(request, person.session, "cases.html", member=person.member,
                      status_code=422, errors={"page": "page"}, listing=None, offset=0,
                      switch="/cases")
    try:
        listing = await services(request).investigation.cases(acting, offset=offset,
                                                              limit=PAGE_SIZE)
    except Refusal as refusal:
        return refused(request, person, refusal)
    return render(request, person.session, "cases.html", member=person.member,
                  listing=listing, offset=offset, limit=PAGE_SIZE,
                  switch=f"/cases?page={offset // PAGE_SIZE + 1}")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str) -> Response:
    found = person_for(request, "case.read")
    if isinstance(found, Response):
        return found
    person, acting = found
    return await _page(request, person, acting, case_id)


def _investigators(request: Request) -> list[tuple[str, str]]:
    """Whom the directory lists as an investigator (investigation refuses a conflicted
    one, with its reason)."""
    return [(m.sub, m.name) for m in console(request).staff()
            if "investigator" in m.roles and not m.disabled]


async def _page(request: Request, person: SignedIn, acting: Acting, case_id: str, *,
                status_code: int = 200, form: str | None = None,
                errors: dict[str, str] | None = None, values: dict[str, list[str]] | None = None,
                refusal: Refusal | None = None, failure: str | None = None) -> Response:
    investigation = services(request).investigation
    try:
        case = await investigation.case(acting, case_id)
        parties = MeldingParties(case.competent_authority, investigators=case.investigators)
        # Read first in the role that sees every case; its own investigator or
        # competent authority reads it again in the role that sees its content.
        reader = person.acting("case.read", parties)
        if reader is not None and reader != acting:
            case = await investigation.case(reader, case_id)
    except Refusal as failed:
        return refused(request, person, failed)
    files = await case_files_context(request, person, case, parties)
    offered = [command for command in case.steps
               if command in STEPS and person.acting(STEPS[command].action, parties)
               and applies(command, case)]
    return render(
        request, person.session, "case.html", status_code=status_code,
        switch=f"/cases/{case_id}", member=person.member, case=case, offered=offered,
        may_read_melding=person.may("melding.read"),
        investigators=_investigators(request) if {
            "assign_investigators", "change_investigators"} & set(offered) else [],
        form=form, errors=errors or {}, values=values or {}, refusal=refusal,
        failure=failure, done=request.query_params.get("done"), rows=range(MEASURE_ROWS),
        vocab={"conclusions": get_args(Conclusion), "kinds": get_args(MeasureKind),
               "targets": get_args(MeasureTarget),
               "interim_kinds": get_args(InterimMeasureKind)},
        limits=limits_shown(parts(request).settings), **files)


@router.post("/cases/{case_id}/{command}", response_class=HTMLResponse)
async def case_step(request: Request, case_id: str, command: str) -> Response:
    if not takes_file(request, command):
        form = await request.form()
        posted: dict[str, list[str]] = {}
        for name, value in form.multi_items():
            if isinstance(value, str):
                posted.setdefault(name, []).append(value)
        return await _step(request, case_id, command, posted)
    async with workdir(parts(request).settings.var_dir, "console") as directory:
        posted, file, refused = await posted_with_file(request, directory)
        return await _step(request, case_id, command, posted, file=file, refused=refused)


async def _step(request: Request, case_id: str, command: str,
                posted: dict[str, list[str]], *, file: Received | None = None,
                refused: Refusal | None = None) -> Response:
    step = STEPS.get(command)
    if step is None:
        return Response(status_code=404)
    found = person_for(request, step.action)
    if isinstance(found, Response):
        return found
    person, acting = found
    reader = person.acting("case.read") or acting
    if not browser.post_is_ours(request, person.session, (posted.get("csrf") or [""])[0]):
        return await _page(request, person, reader, case_id, status_code=403,
                           failure="form_expired")
    try:
        if refused is not None:
            raise refused
        await services(request).investigation.step(
            acting, case_id, command, body_of(step, posted),
            files=opened(file) if file is not None else None)
    except Refusal as refusal:
        return await _page(request, person, reader, case_id, status_code=refusal.status,
                           form=command, values=posted, refusal=refusal,
                           errors=errors_of(step, refusal.fields) | file_errors(refusal))
    return RedirectResponse(f"/cases/{case_id}?done={command}", 303)
