"""The queue (`/queue`): the meldingen triage lists for the meldpunt and the competent
authority, with triage's filters and orders, paged, each row with its deadlines and an
unread mark; the search over the descriptions (`POST /queue/search`) is a form posted,
so its words never land in an address, paged by the same form's buttons."""

from __future__ import annotations

from typing import Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.calls import Refusal
from services.console.web import browser
from services.console.web.pages import form_errors, person_for, refused, services
from services.console.web.rendering import first, posted_fields, render
from shared.contracts import Channel, Kind, MeldingStatus, QueueSort, Severity, Theme

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
FILTERS = ("status", "kind", "theme", "channel", "severity", "overdue", "reply_unread",
           "closing_feedback_due", "sort")
VOCABULARIES = {"statuses": get_args(MeldingStatus), "kinds": get_args(Kind),
                "themes": get_args(Theme), "channels": get_args(Channel),
                "severities": get_args(Severity), "sorts": get_args(QueueSort)}


@router.get("/queue", response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    query = {name: [value] for name, value in request.query_params.items()}
    return await _listing(request, query, text=None)


@router.post("/queue/search", response_class=HTMLResponse)
async def search(request: Request) -> Response:
    posted = await posted_fields(request)
    return await _listing(request, posted, text=first(posted, "text").strip())


async def _listing(request: Request, fields: dict[str, list[str]], *,
                   text: str | None) -> Response:
    found = person_for(request, "melding.list")
    if isinstance(found, Response):
        return found
    person, acting = found
    chosen = {name: first(fields, name) for name in FILTERS}
    own_query = urlencode({name: value for name, value in chosen.items() if value})
    context: dict[str, Any] = {"chosen": chosen, "own_query": own_query, "text": text,
                               **VOCABULARIES}

    def page_with(status_code: int, errors: dict[str, str]) -> Response:
        return render(request, person.session, "queue.html", member=person.member,
                      status_code=status_code, errors=errors, listing=None,
                      switch="/queue", **context)

    if text is not None and not browser.post_is_ours(request, person.session,
                                                     first(fields, "csrf")):
        return page_with(403, {"text": "search_expired"})
    page = first(fields, "page") or "1"
    if not page.isdigit() or int(page) < 1:
        return page_with(422, {"page": "page"})
    offset = (int(page) - 1) * PAGE_SIZE
    filters = {name: value for name, value in chosen.items() if value}
    triage = services(request).triage
    try:
        if text is None:
            listing = await triage.queue(acting, filters, offset=offset, limit=PAGE_SIZE)
        else:
            listing = await triage.search(acting, text, filters, offset=offset,
                                          limit=PAGE_SIZE)
    except Refusal as refusal:
        errors = form_errors(refusal, (*FILTERS, "text"))
        if not errors:
            return refused(request, person, refusal)
        return page_with(refusal.status, errors)
    switch = f"/queue?{own_query}&page={page}" if own_query else f"/queue?page={page}"
    return render(request, person.session, "queue.html", member=person.member,
                  listing=listing, switch="/queue" if text is not None else switch,
                  done=request.query_params.get("done"), **context)
