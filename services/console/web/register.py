"""Registering a melding on a reporter's behalf (`/register`: a confidential adviser,
a manager or the meldpunt) and a confidential adviser's contact moments. The receipt
intake answers with is shown once, on the answer to the post itself, never in an
address: the person hands it on to the reporter."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.calls import Acting, Refusal
from services.console.web import browser
from services.console.web.access import SignedIn
from services.console.web.pages import form_errors, person_for, services
from services.console.web.rendering import first, local_moment, posted_fields, render
from shared.contracts import Adviser, Kind, ReceivedHow, Theme

router = APIRouter(include_in_schema=False)

MELDING: tuple[str, ...] = ("channel", "kind", "theme", "description", "anonymous",
                            "involved", "occurred", "name", "email", "phone", "received_at",
                            "received_how", "received_reason")
CONTACT: tuple[str, ...] = ("adviser", "theme", "date")
#: The channels a registering role reports through (the channel says who received it).
CHANNELS = {"confidential_adviser": ("confidential_adviser_integrity",
                                     "confidential_adviser_conduct"),
            "manager": ("manager",), "meldpunt": ("meldpunt",)}


def _page(request: Request, person: SignedIn, acting: Acting, *, status_code: int = 200,
          **context: Any) -> Response:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return render(request, person.session, "register.html", status_code=status_code,
                  switch=None if context.get("filed") else "/register", member=person.member,
                  channels=CHANNELS[acting.role],
                  may_record_contact=person.may("contact_moment.record"),
                  vocab={"kinds": get_args(Kind), "themes": get_args(Theme),
                         "advisers": get_args(Adviser), "received": get_args(ReceivedHow)},
                  **context)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request) -> Response:
    found = person_for(request, "melding.register_for_reporter")
    if isinstance(found, Response):
        return found
    person, acting = found
    return _page(request, person, acting, done=request.query_params.get("done"))


def _melding(posted: dict[str, list[str]]) -> dict[str, Any]:
    """The request as typed: intake judges it."""
    body: dict[str, Any] = {name: first(posted, name).strip()
                            for name in ("channel", "kind", "theme", "description", "occurred",
                                         "received_how", "received_reason")
                            if first(posted, name).strip()}
    received = first(posted, "received_at").strip()
    if received:
        body["received_at"] = local_moment(received)
    body["anonymous"] = {"true": True, "false": False}.get(first(posted, "anonymous"),
                                                           first(posted, "anonymous"))
    body["involved"] = [line.strip() for line in first(posted, "involved").splitlines()
                        if line.strip()]
    identity = {name: first(posted, name).strip() for name in ("name", "email", "phone")
                if first(posted, name).strip()}
    # An anonymous reporter's identity stays with the adviser: none is sent at all.
    if identity and body["anonymous"] is False:
        body["identity"] = identity
    return body


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request) -> Response:
    posted = await posted_fields(request)
    found = person_for(request, "melding.register_for_reporter")
    if isinstance(found, Response):
        return found
    person, acting = found
    values = {name: first(posted, name) for name in MELDING}
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return _page(request, person, acting, status_code=403, failure="form_expired",
                     values=values)
    try:
        filed = await services(request).intake.register(acting, _melding(posted))
    except Refusal as refusal:
        fields = {name.replace("identity.", ""): message
                  for name, message in refusal.fields.items()}
        return _page(request, person, acting, status_code=refusal.status, values=values,
                     errors=form_errors(Refusal(refusal.status, fields=fields), MELDING),
                     refusal=refusal)
    return _page(request, person, acting, status_code=201, filed=filed)


@router.post("/contact-moments", response_class=HTMLResponse)
async def contact_moment(request: Request) -> Response:
    posted = await posted_fields(request)
    found = person_for(request, "contact_moment.record")
    if isinstance(found, Response):
        return found
    person, acting = found
    registering = person.acting("melding.register_for_reporter") or acting
    values = {f"contact_{name}": first(posted, f"contact_{name}") for name in CONTACT}
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return _page(request, person, registering, status_code=403, failure="form_expired")
    body = {name: first(posted, f"contact_{name}").strip() for name in CONTACT
            if first(posted, f"contact_{name}").strip()}
    try:
        await services(request).intake.contact_moment(acting, body)
    except Refusal as refusal:
        errors = {f"contact_{name}": f"contact_{name}"
                  for name in form_errors(refusal, CONTACT)}
        return _page(request, person, registering, status_code=refusal.status,
                     values=values, errors=errors, refusal=refusal)
    return _page(request, person, registering, status_code=201, contact_recorded=True)
