"""Who is signed in on a page: the session, and the directory's word on the person
(a disabled account's sessions end at its next request)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.console.adapters.calls import Acting
from services.console.adapters.sessions import Session
from services.console.api.deps import parts
from services.console.application import ConsoleApplication
from services.console.domain.staff import StaffMember
from services.console.web import browser
from shared.authz import is_allowed


@dataclass(frozen=True)
class SignedIn:
    session: Session
    member: StaffMember

    def may(self, action: str) -> bool:
        return any(is_allowed(role, action) for role in self.member.roles)

    def acting(self, action: str) -> Acting | None:
        """The person in the first of their roles the table allows `action` for (the
        service that owns the rule checks again, per melding), or None."""
        role = next((r for r in self.member.roles if is_allowed(r, action)), None)
        return None if role is None else Acting(self.member.sub, role)


def console(request: Request) -> ConsoleApplication:
    return parts(request).application


def signed_in(request: Request) -> SignedIn | Response:
    """The signed-in person, or the way to the sign-in page."""
    session = browser.current(request)
    if session is None or session.sub is None:
        return RedirectResponse("/signin?ended=1" if request.cookies else "/signin", 303)
    member = console(request).find_staff(session.sub)
    if member is None or member.disabled:
        browser.sessions(request).end_all_of(session.sub)
        return browser.forget(RedirectResponse("/signin?ended=1", 303), request)
    return SignedIn(session, member)
