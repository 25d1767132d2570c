"""The queue: an in-memory view of every melding's summary, rebuilt from the event
store at start and kept current from each commit, so listing reads no events.

It stays fast at 100,000 meldingen: every combination of the `status` and `theme`
filters has its own index kept in order of receipt, so a page is a slice; with
`overdue`, the total is counted in a sorted list of the moments each melding turns
overdue, and the page is read from the nearer end until it is full.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any
from uuid import UUID

from services.triage.domain.report import TRANSITIONS, Report, Status
from shared.terms import Deadlines, deadlines, overdue_from

Key = tuple[datetime, UUID]  # (received_at, id): oldest first, ties broken by id


@dataclass(slots=True)  # 100,000 of them live in memory
class QueueEntry:
    id: UUID
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: Status
    received_at: datetime
    acknowledged_at: datetime | None
    deadlines: Deadlines
    feedback_at: datetime | None = None
    overdue_from: datetime | None = None
    #: `overdue_from` as a number (infinity for never), for the fast `overdue` filter
    overdue_ts: float = math.inf

    @property
    def key(self) -> Key:
        return (self.received_at, self.id)

    def overdue(self, now: datetime) -> bool:
        return self.overdue_ts < now.timestamp()

    def refresh(self) -> None:
        self.overdue_from = overdue_from(self.deadlines, self.acknowledged_at, self.feedback_at)
        self.overdue_ts = self.overdue_from.timestamp() if self.overdue_from else math.inf


@dataclass(frozen=True)
class Page:
    entries: list[QueueEntry]
    total: int


@dataclass
class _Index:
    """The meldingen of one filter combination: in order of receipt (keys and entries
    side by side), and the moments they turn overdue, sorted (to count in O(log n))."""

    keys: list[Key] = field(default_factory=list)
    entries: list[QueueEntry] = field(default_factory=list)
    overdue_moments: list[float] = field(default_factory=list)

    def insert(self, entry: QueueEntry) -> None:
        key = entry.key
        if not self.keys or self.keys[-1] < key:
            self.keys.append(key)  # the usual case: meldingen arrive in order
            self.entries.append(entry)
        else:
            position = bisect_left(self.keys, key)
            self.keys.insert(position, key)
            self.entries.insert(position, entry)
        insort(self.overdue_moments, entry.overdue_ts)

    def remove(self, entry: QueueEntry) -> None:
        position = bisect_left(self.keys, entry.key)
        if position < len(self.keys) and self.keys[position] == entry.key:
            del self.keys[position]
            del self.entries[position]
            self.forget_moment(entry.overdue_ts)

    def forget_moment(self, moment: float) -> None:
        position = bisect_left(self.overdue_moments, moment)
        if position < len(self.overdue_moments) and self.overdue_moments[position] == moment:
            del self.overdue_moments[position]

    def page(self, overdue: bool | None, moment: float, offset: int, limit: int) -> Page:
        if overdue is None:
            return Page(self.entries[offset : offset + limit], len(self.entries))
        late = bisect_left(self.overdue_moments, moment)  # how many are overdue by now
        total = late if overdue else len(self.entries) - late
        wanted = max(0, min(limit, total - offset))
        if wanted == 0:
            return Page([], total)
        # Walk from the nearer end and stop as soon as the page is full.
        behind = total - offset - wanted
        if offset <= behind:
            matching = (e for e in self.entries if (e.overdue_ts < moment) is overdue)
            return Page(list(islice(matching, offset, offset + wanted)), total)
        matching = (e for e in reversed(self.entries) if (e.overdue_ts < moment) is overdue)
        return Page(list(islice(matching, behind, behind + wanted))[::-1], total)


class Queue:
    def __init__(self) -> None:
        self._entries: dict[UUID, QueueEntry] = {}
        self._indexes: dict[tuple[str | None, str | None], _Index] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Report.Received):
                self._received(event)
                return
            entry = self._entries.get(event.originator_id)
            if entry is None:
                return
            if isinstance(event, Report.Assessed):
                self._move(entry, status=entry.status, theme=event.theme)
            elif isinstance(event, Report.MessageSent) and event.purpose == "feedback":
                self._feedback_given(entry, event.at)
            # The status follows the aggregate's own transition table.
            status = self._status_after(event, entry.status)
            if status != entry.status:
                self._move(entry, status=status, theme=entry.theme)

    @staticmethod
    def _status_after(event: Any, status: Status) -> Status:
        command = {Report.Assessed: "assess", Report.Decided: "decide",
                   Report.Closed: "close"}.get(type(event))
        if command is None:
            return status
        return TRANSITIONS[command].get(status, status)

    def _received(self, event: Any) -> None:
        if event.originator_id in self._entries:
            return
        entry = QueueEntry(
            id=event.originator_id, kind=event.kind, theme=event.theme, channel=event.channel,
            anonymous=event.anonymous, status="received", received_at=event.received_at,
            acknowledged_at=event.acknowledged_at,
            deadlines=deadlines(event.received_at, event.acknowledged_at),
        )
        entry.refresh()
        self._entries[entry.id] = entry
        for name in self._names(entry.status, entry.theme):
            self._indexes.setdefault(name, _Index()).insert(entry)

    def _feedback_given(self, entry: QueueEntry, at: datetime) -> None:
        before = entry.overdue_ts
        entry.feedback_at = entry.feedback_at or at
        entry.refresh()
        if entry.overdue_ts != before:
            for name in self._names(entry.status, entry.theme):
                index = self._indexes[name]
                index.forget_moment(before)
                insort(index.overdue_moments, entry.overdue_ts)

    def _move(self, entry: QueueEntry, *, status: Status, theme: str) -> None:
        old = set(self._names(entry.status, entry.theme))
        new = set(self._names(status, theme))
        for name in old - new:
            self._indexes[name].remove(entry)
        for name in new - old:
            self._indexes.setdefault(name, _Index()).insert(entry)
        entry.status, entry.theme = status, theme

    @staticmethod
    def _names(status: str, theme: str) -> list[tuple[str | None, str | None]]:
        return [(None, None), (status, None), (None, theme), (status, theme)]

    def page(self, *, status: str | None = None, theme: str | None = None,
             overdue: bool | None = None, now: datetime, offset: int = 0,
             limit: int = 50) -> Page:
        """One page of the queue, oldest first, and how many match in all."""
        with self._lock:
            index = self._indexes.get((status, theme))
            if index is None:
                return Page([], 0)
            return index.page(overdue, now.timestamp(), offset, limit)

    def __len__(self) -> int:
        return len(self._entries)
