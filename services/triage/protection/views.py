"""The protection check-ins due: an in-memory view of the closed meldingen that protect
someone and have had no check-in since their (latest) closing, rebuilt at start from the
store's events of `FOLLOW_UP_TOPICS` and kept current from each commit
(`ServiceApplication.feed_stored`). A reopening takes a melding off the list until it
closes again; a shredded one leaves it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from services.triage.protection.domain.protection import Protection
from shared.terms import check_in_due

#: The events `FollowUp` reads: a start reads these from the store, not every event.
FOLLOW_UP_TOPICS = tuple(get_topic(cls) for cls in (
    Protection.PersonProtected, Protection.CheckedIn, Report.Closed, Report.Reopened,
    Retained.Shredded))


@dataclass
class _Melding:
    protects: bool = False
    closed_at: datetime | None = None
    checked_in_at: datetime | None = None
    shredded: bool = False

    @property
    def waiting(self) -> bool:
        return (self.protects and not self.shredded and self.closed_at is not None
                and (self.checked_in_at is None or self.checked_in_at < self.closed_at))


@dataclass(frozen=True)
class CheckInDue:
    melding_id: UUID
    closed_at: datetime
    due_by: datetime


class FollowUp:
    def __init__(self, within_days: int) -> None:
        self.within_days = within_days
        self._meldingen: dict[UUID, _Melding] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Protection.PersonProtected):
                self._of(event.melding_id).protects = True
            elif isinstance(event, Protection.CheckedIn):
                self._of(event.melding_id).checked_in_at = event.at
            elif isinstance(event, Report.Closed):
                self._of(event.originator_id).closed_at = event.at
            elif isinstance(event, Report.Reopened):
                self._of(event.originator_id).closed_at = None
            elif isinstance(event, Retained.Shredded):
                self._of(event.originator_id).shredded = True

    def due(self) -> list[CheckInDue]:
        """Every check-in waiting, the nearest term first."""
        with self._lock:
            waiting = [CheckInDue(melding_id, m.closed_at,
                                  check_in_due(m.closed_at, self.within_days))
                       for melding_id, m in self._meldingen.items()
                       if m.waiting and m.closed_at is not None]
        return sorted(waiting, key=lambda d: (d.due_by, str(d.melding_id)))

    def due_by(self, melding_id: UUID) -> datetime | None:
        """The term of the melding's check-in, while one waits."""
        with self._lock:
            melding = self._meldingen.get(melding_id)
            if melding is None or not melding.waiting or melding.closed_at is None:
                return None
            return check_in_due(melding.closed_at, self.within_days)

    def _of(self, melding_id: UUID) -> _Melding:
        return self._meldingen.setdefault(melding_id, _Melding())
