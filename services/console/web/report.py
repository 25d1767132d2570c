"""The annual report (`/report?year=`): the figures reporting publishes (small counts
already hidden by reporting), their CSV, and for an auditor the audit's verify and
replay with their results, all with the session instead of a bearer header."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.calls import Acting, Refusal
from services.console.web import browser
from services.console.web.access import SignedIn
from services.console.web.pages import person_for, refused, services
from services.console.web.rendering import first, posted_fields, render
from shared.terms import local_date

router = APIRouter(include_in_schema=False)


def _year(request: Request, given: str | None) -> int | None:
    """The year asked for (this year in the organisation's time zone by default), or
    None when it is not a year."""
    if not given:
        return local_date(browser.sessions(request).clock.now()).year
    return int(given) if given.isdigit() and len(given) == 4 else None


def sections(figures: dict[str, Any]) -> list[tuple[str, list[tuple[list[str], Any]]]]:
    """Each top-level figure with its leaves as (path below it, value) rows."""
    def leaves(node: Any, path: list[str]) -> list[tuple[list[str], Any]]:
        if not isinstance(node, dict):
            return [(path, node)]
        return [row for key, value in node.items() for row in leaves(value, [*path, key])]

    return [(name, leaves(value, [])) for name, value in figures.items()
            if name not in ("year", "threshold")]


async def _page(request: Request, person: SignedIn, acting: Acting, year_text: str | None,
                *, status_code: int = 200, **context: Any) -> Response:
    year = _year(request, year_text)
    common: dict[str, Any] = {"member": person.member, "may_verify": person.may("audit.verify"),
              "may_replay": person.may("audit.replay")}
    if year is None:
        return render(request, person.session, "report.html", status_code=422,
                      errors={"year": "year"}, year=year_text, figures=None, **common)
    try:
        figures = await services(request).reporting.annual(acting, year)
    except Refusal as refusal:
        return refused(request, person, refusal)
    return render(request, person.session, "report.html", status_code=status_code,
                  switch=f"/report?year={year}", year=year, figures=figures,
                  sections=sections(figures), **common, **context)


@router.get("/report", response_class=HTMLResponse)
async def report(request: Request) -> Response:
    found = person_for(request, "report.read")
    if isinstance(found, Response):
        return found
    person, acting = found
    return await _page(request, person, acting, request.query_params.get("year"))


@router.get("/report/csv")
async def report_csv(request: Request) -> Response:
    found = person_for(request, "report.read")
    if isinstance(found, Response):
        return found
    person, acting = found
    year = _year(request, request.query_params.get("year"))
    if year is None:
        return await _page(request, person, acting, request.query_params.get("year"))
    try:
        csv = await services(request).reporting.annual_csv(acting, year)
    except Refusal as refusal:
        return refused(request, person, refusal)
    return Response(csv.body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{csv.filename}"'})


@router.post("/report/{check}", response_class=HTMLResponse)
async def audit(request: Request, check: str) -> Response:
    posted = await posted_fields(request)
    action = {"verify": "audit.verify", "replay": "audit.replay"}.get(check)
    if action is None:
        return Response(status_code=404)
    found = person_for(request, action)
    if isinstance(found, Response):
        return found
    person, acting = found
    reader = person.acting("report.read") or acting
    year = first(posted, "year") or None
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return await _page(request, person, reader, year, status_code=403,
                           failure="form_expired")
    reporting = services(request).reporting
    try:
        if check == "verify":
            return await _page(request, person, reader, year,
                               verify=await reporting.verify(acting))
        return await _page(request, person, reader, year,
                           replay=await reporting.replay(acting))
    except Refusal as refusal:
        return refused(request, person, refusal)
