"""A melding the signed-in staff member registered on a reporter's behalf
(`/registered/{id}`): the record (verslag) of an oral or in-person melding, for whoever
received it, and for the confidential adviser who registered it their conversation
with the reporter (the replies read, a message written). `/registered` lists the
meldingen the person registered (intake's list: their own only) and opens one by its
number; `/identity-reveals` is intake's log of every fetch of a sealed identity. Every
call goes to intake as the signed-in person: another staff member's melding is
intake's 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.adapters.calls import Acting, Refusal
from services.console.adapters.intake import AdviserMailbox
from services.console.web.access import SignedIn
from services.console.web.forms import Form, submit
from services.console.web.intake_part import record_part
from services.console.web.pages import person_for, refused, services
from services.console.web.rendering import PAGE_SIZE, first, page_offset, render

router = APIRouter(include_in_schema=False)

#: Each form's path, its action, and the field intake names -> this page's.
FORMS = {
    "record": Form("record.write", {"text": "record_text"},
                   lambda services, acting, melding_id, posted: services.intake.write_record(
                       acting, melding_id, first(posted, "record_text").strip()),
                   done="record"),
    "messages": Form("mailbox.adviser", {"body": "adviser_body"},
                     lambda services, acting, melding_id, posted: services.intake.adviser_writes(
                         acting, melding_id, first(posted, "adviser_body").strip()),
                     done="adviser_message"),
}


@router.get("/registered", response_class=HTMLResponse)
async def open_registered(request: Request) -> Response:
    found = person_for(request, "registration.list_own")
    if isinstance(found, Response):
        return found
    person, acting = found
    if "melding" in request.query_params:
        wanted = request.query_params["melding"].strip()
        if wanted:
            return RedirectResponse(f"/registered/{wanted}", 303)
        return _list(request, person, status_code=422, errors={"melding_id": "melding_id"})
    offset = page_offset(request)
    if offset is None:
        return _list(request, person, status_code=422, errors={"page": "page"})
    try:
        mine = await services(request).intake.registrations(acting, offset, PAGE_SIZE)
    except Refusal as refusal:
        return refused(request, person, refusal)
    return _list(request, person, items=mine.items, offset=offset, total=mine.total)


def _list(request: Request, person: SignedIn, *, status_code: int = 200,
          errors: dict[str, str] | None = None, items: Sequence[Any] = (), offset: int = 0,
          total: int = 0) -> Response:
    return render(request, person.session, "registered.html", member=person.member,
                  status_code=status_code, errors=errors or {}, items=items, offset=offset,
                  limit=PAGE_SIZE, total=total,
                  switch=f"/registered?page={offset // PAGE_SIZE + 1}")


@router.get("/identity-reveals", response_class=HTMLResponse)
async def identity_reveals(request: Request) -> Response:
    found = person_for(request, "identity.list_reveals")
    if isinstance(found, Response):
        return found
    person, acting = found
    offset = page_offset(request)
    if offset is None:
        return render(request, person.session, "identity_reveals.html", member=person.member,
                      status_code=422, errors={"page": "page"}, items=[], offset=0,
                      limit=PAGE_SIZE, total=0, switch="/identity-reveals")
    try:
        reveals = await services(request).intake.reveals(acting, offset, PAGE_SIZE)
    except Refusal as refusal:
        return refused(request, person, refusal)
    return render(request, person.session, "identity_reveals.html", member=person.member,
                  items=reveals.items, offset=offset, limit=PAGE_SIZE, total=reveals.total,
                  switch=f"/identity-reveals?page={offset // PAGE_SIZE + 1}")


@router.get("/registered/{melding_id}", response_class=HTMLResponse)
async def registered_page(request: Request, melding_id: str) -> Response:
    found = person_for(request, "melding.register_for_reporter")
    if isinstance(found, Response):
        return found
    return await _page(request, found[0], melding_id)


async def _page(request: Request, person: SignedIn, melding_id: str, *,
                status_code: int = 200, form: str | None = None,
                errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                refusal: Refusal | None = None, failure: str | None = None) -> Response:
    record = await record_part(request, person, melding_id)
    conversation = await _conversation(request, person, melding_id)
    if isinstance(conversation, Refusal):
        return refused(request, person, conversation)
    if record is None and conversation is None:
        return refused(request, person, Refusal(404))
    return render(request, person.session, "registered_melding.html", member=person.member,
                  status_code=status_code, switch=f"/registered/{melding_id}",
                  melding_id=melding_id, intake=record, conversation=conversation,
                  form=form, errors=errors or {}, values=values or {}, refusal=refusal,
                  failure=failure, done=request.query_params.get("done"))


async def _conversation(request: Request, person: SignedIn, melding_id: str
                        ) -> AdviserMailbox | Refusal | None:
    """The adviser's conversation with the reporter, if the person is the adviser who
    registered it."""
    acting = person.acting("mailbox.adviser")
    if acting is None:
        return None
    try:
        return await services(request).intake.adviser_messages(acting, melding_id)
    except Refusal as refusal:
        return None if refusal.status == 404 else refusal


@router.post("/registered/{melding_id}/{part}", response_class=HTMLResponse)
async def registered_step(request: Request, melding_id: str, part: str) -> Response:
    if part not in FORMS:
        return Response(status_code=404)
    form = FORMS[part]

    async def again(person: SignedIn, acting: Acting, **shown: Any) -> Response:
        return await _page(request, person, melding_id, **shown)

    return await submit(request, melding_id, part, form, again,
                        f"/registered/{melding_id}?done={form.done}")
