"""What the melding page shows of its protection against disadvantage
(`melding_protection.html`), asked as the signed-in person: whom it protects, the
complaints of reprisal with their handling and the check-ins after the closing, and
which of the forms to offer: those whose step triage allows now (`steps`) and the
person may take on this melding."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import Request

from services.console.adapters.calls import Refusal
from services.console.adapters.triage import PageRead, Protection
from services.console.web.access import SignedIn
from services.console.web.pages import services
from shared.authz import MeldingParties
from shared.contracts import ProtectedRole, ReprisalOutcome


async def protection_context(request: Request, person: SignedIn, read: PageRead,
                             parties: MeldingParties) -> dict[str, Any]:
    """The page's protection part: what triage shows, and which forms to offer."""
    melding = read.page.melding
    acting = person.acting("melding.read", parties)
    shown: Protection | None = None
    if acting is not None and (page := read.for_(acting)) is not None:
        shown = page.protection
    elif acting is not None:
        try:
            shown = await services(request).triage.protection(acting, melding.id)
        except Refusal:
            shown = None  # the page says the part cannot be shown now
    protects = person.acting("melding.protect", parties) is not None
    handles = person.acting("melding.handle_reprisal_complaint", parties) is not None
    persons = shown.persons if shown else []
    return {
        "protection": shown,
        "may_protect": protects and "protect_person" in melding.steps,
        "may_complain": protects and bool(persons)
        and "record_reprisal_complaint" in melding.steps,
        "may_handle": handles and shown is not None
        and any(c["handling"] is None for c in shown.complaints),
        "may_check_in": protects and bool(persons)
        and "record_protection_check_in" in melding.steps,
        "protection_vocab": {"roles": get_args(ProtectedRole),
                             "outcomes": get_args(ReprisalOutcome)},
    }
