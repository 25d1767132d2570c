"""The queue (`/queue`): the meldingen triage lists for the meldpunt and the competent
authority, with the filters triage supports, paged, each row with its deadlines."""

from __future__ import annotations

from typing import Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.calls import Refusal
from services.console.web.pages import form_errors, person_for, refused, services
from services.console.web.rendering import render
from shared.contracts import MeldingStatus, Theme

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
FILTERS = ("status", "theme", "overdue")


@router.get("/queue", response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    found = person_for(request, "melding.list")
    if isinstance(found, Response):
        return found
    person, acting = found
    query = request.query_params
    chosen = {name: query.get(name, "") for name in FILTERS}
    own_query = urlencode({name: value for name, value in chosen.items() if value})
    context: dict[str, Any] = {"chosen": chosen, "statuses": get_args(MeldingStatus),
               "themes": get_args(Theme), "own_query": own_query}
    page = query.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        return render(request, person.session, "queue.html", member=person.member,
                      status_code=422, errors={"page": "page"}, listing=None,
                      switch="/queue", **context)
    offset = (int(page) - 1) * PAGE_SIZE
    try:
        listing = await services(request).triage.queue(
            acting, status=chosen["status"] or None, theme=chosen["theme"] or None,
            overdue=True if chosen["overdue"] else None, offset=offset, limit=PAGE_SIZE)
    except Refusal as refusal:
        errors = form_errors(refusal, FILTERS)
        if not errors:
            return refused(request, person, refusal)
        return render(request, person.session, "queue.html", member=person.member,
                      status_code=refusal.status, errors=errors, listing=None,
                      switch="/queue", **context)
    switch = f"/queue?{own_query}&page={page}" if own_query else f"/queue?page={page}"
    return render(request, person.session, "queue.html", member=person.member,
                  listing=listing, switch=switch, done=query.get("done"), **context)
