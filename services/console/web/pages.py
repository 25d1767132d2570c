"""What every procedure page shares: the signed-in person in the role an action
needs, the service clients, and a refusal shown in plain words."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from services.console.adapters.calls import Acting, Refusal
from services.console.adapters.services import Services
from services.console.api.deps import parts
from services.console.web.access import SignedIn, signed_in
from services.console.web.rendering import render


def services(request: Request) -> Services:
    return parts(request).services


def person_for(request: Request, action: str) -> tuple[SignedIn, Acting] | Response:
    """The signed-in person acting in a role the table allows `action` for; the
    sign-in page, or a refusal, otherwise."""
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    acting = person.acting(action)
    if acting is None:
        return refused(request, person, Refusal(403))
    return person, acting


def refused(request: Request, person: SignedIn, refusal: Refusal) -> Response:
    return render(request, person.session, "refused.html", member=person.member,
                  refusal=refusal, status_code=refusal.status)


def form_errors(refusal: Refusal, fields: tuple[str, ...]) -> dict[str, str]:
    """The service's invalid fields among this form's (`outcome.0` is `outcome`)."""
    named = {name.split(".")[0] for name in refusal.fields}
    return {name: name for name in fields if name in named}
