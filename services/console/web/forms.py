"""A form posted on a melding's page: who may post it, which fields the service names
map to the page's, and what happens once it is sent. Every such form goes the same way:
the person in the role its action needs, the CSRF token checked, the service's refusal
shown on the same page with the fields it named, a redirect once it is done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.console.adapters.calls import Acting, Refusal
from services.console.adapters.services import Services
from services.console.web import browser
from services.console.web.access import SignedIn
from services.console.web.pages import person_for, services
from services.console.web.rendering import first, posted_fields

#: Sends a form's fields to its service, acting as the person, for one melding.
Send = Callable[[Services, Acting, str, dict[str, list[str]]], Awaitable[object]]


class PageOf(Protocol):
    """The page a form is on, shown again with what went wrong."""

    async def __call__(self, person: SignedIn, acting: Acting, *, status_code: int,
                       form: str | None = None, errors: dict[str, str] | None = None,
                       values: dict[str, list[str]] | None = None,
                       refusal: Refusal | None = None,
                       failure: str | None = None) -> Response: ...


@dataclass(frozen=True)
class Form:
    action: str
    #: The field the service names -> the page's.
    names: dict[str, str]
    send: Send
    #: The `?done=` mark of the page once it is sent.
    done: str


async def submit(request: Request, melding_id: str, part: str, form: Form, page: PageOf,
                 redirect: str) -> Response:
    posted = await posted_fields(request)
    found = person_for(request, form.action)
    if isinstance(found, Response):
        return found
    person, acting = found
    values = {name: posted.get(name, []) for name in form.names.values()}
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return await page(person, acting, status_code=403, failure="form_expired")
    try:
        await form.send(services(request), acting, melding_id, posted)
    except Refusal as refusal:
        named = {name.split(".")[0] for name in refusal.fields}
        errors = {ours: ours for theirs, ours in form.names.items() if theirs in named}
        return await page(person, acting, status_code=refusal.status, form=part,
                          errors=errors, values=values, refusal=refusal)
    return RedirectResponse(redirect, 303)
