"""What the notifier decides, as event-sourced outcomes: a `Notice` (one person to be
told one thing), a `Digest` (a day's notices for one person, in one mail), a
`FeedbackTerm` (which reminders of a melding's feedback term were decided), a
melding's `Routing` (whom triage routed it to, and who is excluded) and a person's
`MailPreference`.

Each has a natural id, so deciding the same thing twice (a redelivery, a second
clock check) cannot make a twin: the store refuses the second version 1.
A notice holds a melding's id and a date, never its description, theme or any name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, get_args
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.authz import MeldingParties

NOTICE_NAMESPACE: Final = UUID("5d0f7c1e-2b8a-4f3e-9c61-7e4a2d9b0c18")

Occasion = Literal["melding_received", "melding_routed", "reporter_replied",
                   "record_approved", "record_corrected",
                   "feedback_due_soon", "feedback_due_today", "response_term_lapsed"]
Delivery = Literal["immediate", "digest"]
DELIVERIES: Final[tuple[str, ...]] = get_args(Delivery)


class Notice(Aggregate):
    if TYPE_CHECKING:
        Decided: ClassVar[type[Any]]
        Claimed: ClassVar[type[Any]]
        Mailed: ClassVar[type[Any]]
        Gathered: ClassVar[type[Any]]

    @staticmethod
    def create_id(key: str, sub: str) -> UUID:
        """`key` names the occasion on one melding ("melding_received/<id>"): one
        notice per person per occasion."""
        return uuid5(NOTICE_NAMESPACE, f"notice/{key}/{sub.casefold()}")

    @event("Decided")
    def __init__(self, *, key: str, sub: str, email: str, occasion: str, melding_id: str,
                 due: date | None, delivery: str, at: datetime) -> None:
        self.key = key
        self.sub = sub
        self.email = email
        self.occasion = occasion
        self.melding_id = melding_id
        self.due = due
        self.delivery = delivery
        self.at = at
        self.mailed_at: datetime | None = None
        self.digest_id: UUID | None = None
        self.claimed_by: str | None = None
        self.claimed_until: datetime | None = None

    @event("Claimed")
    def claim(self, by: str, until: datetime) -> None:
        self.claimed_by = by
        self.claimed_until = until

    @event("Mailed")
    def mark_mailed(self, at: datetime) -> None:
        self.mailed_at = at

    @event("Gathered")
    def gather(self, digest_id: UUID) -> None:
        self.digest_id = digest_id


class Digest(Aggregate):
    """One person's notices of a day; the items are copied in, so the mail can be
    written from the digest alone."""

    if TYPE_CHECKING:
        Gathered: ClassVar[type[Any]]
        Claimed: ClassVar[type[Any]]
        Mailed: ClassVar[type[Any]]

    @staticmethod
    def create_id(sub: str, day: date) -> UUID:
        return uuid5(NOTICE_NAMESPACE, f"digest/{sub.casefold()}/{day.isoformat()}")

    @event("Gathered")
    def __init__(self, *, sub: str, email: str, day: date, items: list[dict[str, str]],
                 at: datetime) -> None:
        self.sub = sub
        self.email = email
        self.day = day
        self.items = items
        self.at = at
        self.mailed_at: datetime | None = None
        self.claimed_by: str | None = None
        self.claimed_until: datetime | None = None

    @event("Claimed")
    def claim(self, by: str, until: datetime) -> None:
        self.claimed_by = by
        self.claimed_until = until

    @event("Mailed")
    def mark_mailed(self, at: datetime) -> None:
        self.mailed_at = at


def digest_item(notice: Notice) -> dict[str, str]:
    return {"occasion": notice.occasion, "melding_id": notice.melding_id,
            "due": notice.due.isoformat() if notice.due else ""}


class FeedbackTerm(Aggregate):
    """A melding's 3-month feedback term as far as reminders go: when it ends, which
    reminders were decided, and whether the feedback was given (or the melding
    closed), after which nobody is reminded. A reopened melding's term runs anew from
    the reopening, with reminders of its own."""

    if TYPE_CHECKING:
        Opened: ClassVar[type[Any]]
        Reminded: ClassVar[type[Any]]
        Ended: ClassVar[type[Any]]
        Restarted: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: str) -> UUID:
        return uuid5(NOTICE_NAMESPACE, f"term/{melding_id}")

    @event("Opened")
    def __init__(self, *, melding_id: str, feedback_by: datetime) -> None:
        self.melding_id = melding_id
        self.feedback_by = feedback_by
        self.reminded: list[str] = []
        self.ended = False
        self.round = 0  # how often the term was restarted

    @property
    def key(self) -> str:
        """What tells this round's reminders from an earlier round's."""
        return self.melding_id if not self.round else f"{self.melding_id}/{self.round}"

    @event("Reminded")
    def remind(self, occasion: str) -> None:
        self.reminded = [*self.reminded, occasion]

    @event("Ended")
    def end(self, at: datetime) -> None:
        self.ended = True

    @event("Restarted")
    def restart(self, feedback_by: datetime, at: datetime) -> None:
        self.feedback_by = feedback_by
        self.reminded = []
        self.ended = False
        self.round += 1


class Routing(Aggregate):
    """A melding's parties as triage publishes them (`shared.authz.MeldingParties`):
    its competent authority, and the staff concerned or recused, whom no notice of
    it reaches. Kept from the first routing fact on; before it, nobody is excluded."""

    if TYPE_CHECKING:
        Started: ClassVar[type[Any]]
        Routed: ClassVar[type[Any]]
        Recused: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: str) -> UUID:
        return uuid5(NOTICE_NAMESPACE, f"routing/{melding_id}")

    @event("Started")
    def __init__(self, *, melding_id: str) -> None:
        self.melding_id = melding_id
        self.competent_authority: str | None = None
        self.excluded: list[str] = []

    @event("Routed")
    def route(self, competent_authority: str | None, excluded: list[str]) -> None:
        self.competent_authority = competent_authority
        self.excluded = sorted({*self.excluded, *excluded})

    @event("Recused")
    def recuse(self, sub: str) -> None:
        self.excluded = sorted({*self.excluded, sub})

    def parties(self) -> MeldingParties:
        return MeldingParties(competent_authority=self.competent_authority,
                              excluded=self.excluded)


class MailPreference(Aggregate):
    """Immediate mails, or one digest a day: each person's own choice."""

    if TYPE_CHECKING:
        Chosen: ClassVar[type[Any]]
        Changed: ClassVar[type[Any]]

    @staticmethod
    def create_id(sub: str) -> UUID:
        return uuid5(NOTICE_NAMESPACE, f"preference/{sub.casefold()}")

    @event("Chosen")
    def __init__(self, *, sub: str, delivery: str, at: datetime) -> None:
        self.sub = sub
        self.delivery = delivery

    @event("Changed")
    def choose(self, delivery: str, at: datetime) -> None:
        self.delivery = delivery
