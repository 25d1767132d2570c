"""The melding page's intake part, posted: a new version of the record (verslag) of an
oral or in-person melding, and a meeting held with its reporter; and the meldpunt's
list of the reporters' requests to meet (`/meeting-requests`), each with its term and a
mark once it is past. Each post goes to intake as the signed-in person; what intake
refuses is shown on the melding page with the field it named."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.adapters.calls import Refusal
from services.console.web import browser
from services.console.web.melding import _page as page_of_melding
from services.console.web.pages import person_for, refused, services
from services.console.web.rendering import first, local_moment, posted_fields, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
#: Each form's path under the melding -> its action, and the fields intake names ->
#: this page's (the record's `text` has a name of its own beside the other forms).
POSTS = {"record": ("record.write", {"text": "record_text"}),
         "meeting": ("meeting.record", {"held_at": "held_at"})}


@router.post("/meldingen/{melding_id}/intake/{part}", response_class=HTMLResponse)
async def intake_step(request: Request, melding_id: str, part: str) -> Response:
    posted = await posted_fields(request)
    if part not in POSTS:
        return Response(status_code=404)
    action, names = POSTS[part]
    found = person_for(request, action)
    if isinstance(found, Response):
        return found
    person, acting = found
    read = person.acting("melding.read") or acting
    values = {name: posted.get(name, []) for name in names.values()}
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return await page_of_melding(request, person, read, melding_id, status_code=403,
                                     failure="form_expired")
    intake = services(request).intake
    try:
        if part == "record":
            await intake.write_record(acting, melding_id, first(posted, "record_text").strip())
        else:
            await intake.record_meeting(acting, melding_id,
                                        local_moment(first(posted, "held_at").strip()))
    except Refusal as refusal:
        errors = {names[name.split(".")[0]]: names[name.split(".")[0]]
                  for name in refusal.fields if name.split(".")[0] in names}
        return await page_of_melding(request, person, read, melding_id,
                                     status_code=refusal.status, form=part, errors=errors,
                                     values=values, refusal=refusal)
    return RedirectResponse(f"/meldingen/{melding_id}?done={part}#intake", 303)


@router.get("/meeting-requests", response_class=HTMLResponse)
async def meeting_requests(request: Request) -> Response:
    found = person_for(request, "meeting.list")
    if isinstance(found, Response):
        return found
    person, acting = found
    page = request.query_params.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        return render(request, person.session, "meeting_requests.html", member=person.member,
                      status_code=422, errors={"page": "page"}, items=[], offset=0,
                      limit=PAGE_SIZE, total=0, switch="/meeting-requests")
    try:
        waiting = (await services(request).intake.meeting_requests(acting)).items
    except Refusal as refusal:
        return refused(request, person, refusal)
    # Intake answers every open request; the page shows them 25 at a time.
    offset = (int(page) - 1) * PAGE_SIZE
    return render(request, person.session, "meeting_requests.html", member=person.member,
                  items=waiting[offset:offset + PAGE_SIZE], offset=offset, limit=PAGE_SIZE,
                  total=len(waiting), switch=f"/meeting-requests?page={page}")
