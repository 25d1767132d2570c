"""The notifier's read model, fed from the console's store: which mails wait to be
sent (in the order they were decided), which digest notices wait for the day's
digest, which feedback terms are still open, and whose cases' response terms lapsed.

`apply` is idempotent (the feed may hand an event twice at start): a mail once
sent never waits again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from services.console.notifications.domain.notices import Digest, FeedbackTerm, Notice
from shared.terms import local_date

TERM_EVENTS = (FeedbackTerm.Opened, FeedbackTerm.Reminded, FeedbackTerm.Ended,
               FeedbackTerm.Restarted)


@dataclass
class OpenTerm:
    feedback_by: datetime
    reminded: list[str] = field(default_factory=list)
    ended: bool = False


class NoticeBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The mails (notices, digests) not yet sent, in the order they were decided:
        # a dict keeps its keys in that order, so the first is found without a search
        # (`min` over 100,000 waiting mails took milliseconds on the event loop).
        self._waiting: dict[UUID, None] = {}
        self._sent: set[UUID] = set()
        self._to_gather: dict[str, dict[UUID, None]] = {}  # sub -> digest notices
        self._gathered: set[UUID] = set()
        self._open: dict[UUID, OpenTerm] = {}
        self._term_of: dict[UUID, str] = {}  # term -> its melding
        self._term_version: dict[UUID, int] = {}  # term -> its last event applied
        # sub -> melding -> the last day of its feedback term, once reminded of it
        self._reminded: dict[str, dict[str, str]] = {}
        # sub -> the meldingen whose case's response term lapsed, as they were told
        self._lapsed: dict[str, dict[str, None]] = {}
        self.on_waiting: Callable[[], None] = lambda: None

    def apply(self, event: Any) -> None:
        woken = False
        with self._lock:
            aggregate_id: UUID = event.originator_id
            if isinstance(event, Notice.Decided):
                if event.occasion.startswith("feedback_due") and event.due is not None:
                    self._reminded.setdefault(event.sub, {})[event.melding_id] = str(
                        event.due)
                if event.occasion == "response_term_lapsed":
                    self._lapsed.setdefault(event.sub, {})[event.melding_id] = None
                if event.delivery == "immediate":
                    woken = self._wait(aggregate_id)
                elif aggregate_id not in self._gathered:
                    self._to_gather.setdefault(event.sub, {})[aggregate_id] = None
            elif isinstance(event, Digest.Gathered):
                woken = self._wait(aggregate_id)
            elif isinstance(event, Notice.Mailed | Digest.Mailed):
                self._sent.add(aggregate_id)
                self._waiting.pop(aggregate_id, None)
            elif isinstance(event, Notice.Gathered):
                self._gathered.add(aggregate_id)
                for notices in self._to_gather.values():
                    notices.pop(aggregate_id, None)
            elif isinstance(event, TERM_EVENTS) and not self._newer(event):
                pass  # handed again: a term's later events (a restart) stand
            elif isinstance(event, FeedbackTerm.Opened):
                self._term_of[aggregate_id] = event.melding_id
                self._open[aggregate_id] = OpenTerm(event.feedback_by)
            elif isinstance(event, FeedbackTerm.Reminded):
                term = self._open.get(aggregate_id)
                if term is not None and event.occasion not in term.reminded:
                    term.reminded.append(event.occasion)
            elif isinstance(event, FeedbackTerm.Ended):
                self._open.pop(aggregate_id, None)
            elif isinstance(event, FeedbackTerm.Restarted):
                self._open[aggregate_id] = OpenTerm(event.feedback_by)
        if woken:
            self.on_waiting()

    def _newer(self, event: Any) -> bool:
        """Whether `event` is the next of its term's (and mark it seen)."""
        version: int = event.originator_version
        if version <= self._term_version.get(event.originator_id, 0):
            return False
        self._term_version[event.originator_id] = version
        return True

    def _wait(self, mail_id: UUID) -> bool:
        if mail_id in self._sent or mail_id in self._waiting:
            return False
        self._waiting[mail_id] = None
        return True

    def next_mail(self) -> UUID | None:
        """The mail decided first of those not yet sent."""
        with self._lock:
            return next(iter(self._waiting), None)

    def sent(self, mail_id: UUID) -> None:
        """Another postman sent it (this board hears only this process's commits)."""
        with self._lock:
            self._sent.add(mail_id)
            self._waiting.pop(mail_id, None)

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def to_gather(self) -> dict[str, list[UUID]]:
        """Per person, the digest notices not yet in a digest, oldest first."""
        with self._lock:
            return {sub: list(ids) for sub, ids in self._to_gather.items() if ids}

    def reminders_for(self, sub: str) -> list[tuple[str, str]]:
        """(melding, last day) of the open feedback terms `sub` was reminded of,
        soonest first."""
        with self._lock:
            # Only a term still open, and its present round: a reopened melding's first
            # round named a last day that no longer holds.
            last_days = {self._term_of.get(term_id): local_date(term.feedback_by).isoformat()
                         for term_id, term in self._open.items()}
            due = [(melding, day) for melding, day in self._reminded.get(sub, {}).items()
                   if last_days.get(melding) == day]
        return sorted(due, key=lambda pair: pair[1])

    def lapses_for(self, sub: str) -> list[str]:
        """The meldingen whose case's response term lapsed that `sub` was told of, in
        the order they were; whether the case still waits is investigation's to say."""
        with self._lock:
            return list(self._lapsed.get(sub, {}))

    def open_terms(self) -> dict[UUID, OpenTerm]:
        """The open feedback terms, as far as their reminders go (copies)."""
        with self._lock:
            return {term_id: OpenTerm(t.feedback_by, list(t.reminded))
                    for term_id, t in self._open.items()}
