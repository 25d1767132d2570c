"""Who is told what, when a feedback term is reminded of, and who may send a mail:
the notifier's rules, each stated here once.

Recipients follow the authorization table and its per-melding rules: a notice goes
to whoever may act on it (a new melding to those who assess, a melding routed to a
competent authority to that one alone, a reply and a feedback term to those who write
to the reporter) and may see the melding (`shared.authz.may_see`: never a person
concerned in it or recused from it), never to a disabled account.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Final, Literal, Protocol, TypeVar

from services.console.notifications.domain.notices import Occasion
from shared.authz import MeldingParties, is_allowed, may_see
from shared.terms import local_date

#: The action whose holders act on each occasion (shared/authz.py decides the roles).
ACTS_ON: Final[dict[str, str]] = {
    "melding_received": "melding.assess",
    "melding_routed": "melding.decide",
    "reporter_replied": "melding.message_reporter",
    "record_approved": "melding.message_reporter",
    "record_corrected": "melding.message_reporter",
    "feedback_due_soon": "melding.message_reporter",
    "feedback_due_today": "melding.message_reporter",
    # the case's team and its competent authority: those who see what the case holds
    "response_term_lapsed": "case.read_content",
}
#: The first reminder of a feedback term: this long before the day it ends.
REMIND_BEFORE: Final = timedelta(days=7)
#: News older than this when the console first reads it (its inbox catching up on the
#: stream after an upgrade, or after a long outage) is not mailed: the console's
#: pages show it, and a mailbox flooded with old news hides the new.
NEWS_KEEPS: Final = timedelta(days=7)


class Person(Protocol):
    @property
    def sub(self) -> str: ...

    @property
    def roles(self) -> list[str]: ...

    @property
    def disabled(self) -> bool: ...


P = TypeVar("P", bound=Person)


def recipients(occasion: Occasion, staff: Iterable[P], *, routed: str | None = None,
               excluded: Collection[str] = (), investigators: Collection[str] = ()
               ) -> list[P]:
    """Who gets a notice of `occasion` on one melding: those who hold a role that may
    act on it and, in that role, may see the melding routed to the competent authority
    `routed` (a login name), with the `investigators` of its case, with the `excluded`
    (concerned, recused) left out."""
    action = ACTS_ON[occasion]
    parties = MeldingParties(competent_authority=routed, excluded=excluded,
                             investigators=investigators)
    return [person for person in staff
            if not person.disabled
            and any(is_allowed(role, action) and may_see(role, person.sub, parties)
                    for role in person.roles)]


def still_news(happened: datetime, now: datetime) -> bool:
    return now - happened <= NEWS_KEEPS


class Term(Protocol):
    """A feedback term as the reminders see it: the aggregate, or the board's view."""

    @property
    def feedback_by(self) -> datetime: ...

    @property
    def reminded(self) -> list[str]: ...

    @property
    def ended(self) -> bool: ...


def reminders_due(term: Term, now: datetime) -> list[Occasion]:
    """The reminders of `term` that are due at `now` and not yet decided: a week
    before the day the term ends, and on that day (on the organisation's calendar).
    A check that first runs on the day itself sends only the day's reminder."""
    if term.ended:
        return []
    today, last_day = local_date(now), local_date(term.feedback_by)
    due: list[Occasion] = []
    if today >= last_day:
        due.append("feedback_due_today")
    elif today >= last_day - REMIND_BEFORE:
        due.append("feedback_due_soon")
    return [occasion for occasion in due if occasion not in term.reminded]


class Claimable(Protocol):
    @property
    def mailed_at(self) -> datetime | None: ...

    @property
    def claimed_by(self) -> str | None: ...

    @property
    def claimed_until(self) -> datetime | None: ...


def sending_turn(mail: Claimable, by: str, now: datetime) -> Literal["send", "sent", "held"]:
    """Whether postman `by` may send `mail` now: it was sent already, another postman
    holds it (its claim has not lapsed: a replica, or a process since killed), or it
    is this one's to send (claimed again before every try)."""
    if mail.mailed_at is not None:
        return "sent"
    if (mail.claimed_by not in (None, by) and mail.claimed_until is not None
            and mail.claimed_until > now):
        return "held"
    return "send"
