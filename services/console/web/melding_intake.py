"""The melding page's intake part, posted: a new version of the record (verslag) of an
oral or in-person melding, and a meeting held with its reporter; and the meldpunt's
list of the reporters' requests to meet (`/meeting-requests`), each with its term and a
mark once it is past. Each post goes to intake as the signed-in person; what intake
refuses is shown on the melding page with the field it named."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.calls import Refusal
from services.console.web.forms import Form, submit
from services.console.web.melding import shown_again
from services.console.web.pages import person_for, refused, services
from services.console.web.rendering import PAGE_SIZE, first, local_moment, page_offset, render

router = APIRouter(include_in_schema=False)

#: Each form's path under the melding, its action, and the fields intake names -> this
#: page's (the record's `text` has a name of its own beside the other forms).
FORMS = {
    "record": Form("record.write", {"text": "record_text"},
                   lambda services, acting, melding_id, posted: services.intake.write_record(
                       acting, melding_id, first(posted, "record_text").strip()),
                   done="record"),
    "meeting": Form("meeting.record", {"held_at": "held_at"},
                    lambda services, acting, melding_id, posted: services.intake.record_meeting(
                        acting, melding_id, local_moment(first(posted, "held_at").strip())),
                    done="meeting"),
}


@router.post("/meldingen/{melding_id}/intake/{part}", response_class=HTMLResponse)
async def intake_step(request: Request, melding_id: str, part: str) -> Response:
    if part not in FORMS:
        return Response(status_code=404)
    form = FORMS[part]
    return await submit(request, melding_id, part, form, shown_again(request, melding_id),
                        f"/meldingen/{melding_id}?done={form.done}#intake")


@router.get("/meeting-requests", response_class=HTMLResponse)
async def meeting_requests(request: Request) -> Response:
    found = person_for(request, "meeting.list")
    if isinstance(found, Response):
        return found
    person, acting = found
    offset = page_offset(request)
    if offset is None:
        return render(request, person.session, "meeting_requests.html", member=person.member,
                      status_code=422, errors={"page": "page"}, items=[], offset=0,
                      limit=PAGE_SIZE, total=0, switch="/meeting-requests")
    try:
        waiting = (await services(request).intake.meeting_requests(acting)).items
    except Refusal as refusal:
        return refused(request, person, refusal)
    # Intake answers every open request; the page shows them 25 at a time.
    return render(request, person.session, "meeting_requests.html", member=person.member,
                  items=waiting[offset:offset + PAGE_SIZE], offset=offset, limit=PAGE_SIZE,
                  total=len(waiting), switch=f"/meeting-requests?page={offset // PAGE_SIZE + 1}")
