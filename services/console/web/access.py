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
from shared.authz import MeldingParties, acts_as_competent_authority, is_allowed, may_see


@dataclass(frozen=True)
class SignedIn:
    session: Session
    member: StaffMember

    def may(self, action: str) -> bool:
        return any(is_allowed(role, action) for role in self.member.roles)

    def acting(self, action: str, melding: MeldingParties | None = None) -> Acting | None:
        """The person in a role the table allows `action` for, or None. On a melding
        whose parties are known, only a role in which they may see it, its assigned
        competent authority or investigator first (they see a case's content); else,
        or otherwise, the role that sees every melding. So someone who is both
        meldpunt and competent authority acts as whichever the step needs. The
        service that owns the per-melding rules checks again."""
        sub = self.member.sub
        parties = melding or MeldingParties(competent_authority=None)

        def rank(role: str) -> int:
            if acts_as_competent_authority(role, sub, parties) or (
                    is_allowed(role, "case.investigate")
                    and parties.names(sub, parties.investigators)):
                return 0
            return 1 if is_allowed(role, "melding.read_all") else 2

        allowed = sorted((r for r in self.member.roles if is_allowed(r, action)
                          and (melding is None or may_see(r, sub, melding))), key=rank)
        return Acting(sub, allowed[0]) if allowed else None


def console(request: Request) -> ConsoleApplication:
    return parts(request).application


def signed_in(request: Request) -> SignedIn | Response:
    """The signed-in person, or the way to the sign-in page."""
    session = browser.current(request)
    if session is None or session.sub is None:
        return RedirectResponse("/signin?ended=1" if request.cookies else "/signin", 303)
    member = current_member(request, session, session.sub)
    if member is None:
        return browser.forget(RedirectResponse("/signin?ended=1", 303), request)
    return SignedIn(session, member)


def current_member(request: Request, session: Session, sub: str) -> StaffMember | None:
    """The signed-in person's record, or None (and every session of theirs ended) once
    it is gone or disabled. The record kept with the session is used while the store
    holds no newer event of it: a change (a disable, other roles), by this process or
    the CLI, counts from the very next request."""
    app = console(request)
    known = session.member
    member = (app.still_current(known) if known is not None and known.sub == sub
              else app.find_staff(sub))
    if member is None or member.disabled:
        session.member = None
        browser.sessions(request).end_all_of(sub)
        return None
    session.member = member
    return member
