"""The queue: an in-memory view of every melding's summary, rebuilt from the event
store at start and kept current from each commit, so listing reads no events.

It stays fast at 100,000 meldingen: every combination of the `status` and `theme`
filters has its own list of keys kept in order of receipt, so a page is a slice, and
`overdue` is one comparison per candidate against a precomputed moment.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.triage.domain.deadlines import Deadlines, deadlines, overdue_from
from services.triage.domain.report import TRANSITIONS, Report
from shared.application import ServiceApplication

Key = tuple[datetime, UUID]  # (received_at, id): oldest first, ties broken by id


@dataclass
class QueueEntry:
    id: UUID
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: str
    received_at: datetime
    acknowledged_at: datetime | None
    deadlines: Deadlines
    feedback_at: datetime | None = None
    overdue_from: datetime | None = None

    @property
    def key(self) -> Key:
        return (self.received_at, self.id)

    def overdue(self, now: datetime) -> bool:
        return self.overdue_from is not None and now > self.overdue_from

    def refresh(self) -> None:
        self.overdue_from = overdue_from(self.deadlines, self.acknowledged_at, self.feedback_at)


@dataclass(frozen=True)
class Page:
    entries: list[QueueEntry]
    total: int


class Queue:
    def __init__(self) -> None:
        self._entries: dict[UUID, QueueEntry] = {}
        # (status or None, theme or None) -> keys in order of receipt
        self._order: dict[tuple[str | None, str | None], list[Key]] = {}
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
                entry.feedback_at = entry.feedback_at or event.at
                entry.refresh()
            # The status follows the aggregate's own transition table.
            status = self._status_after(event, entry.status)
            if status != entry.status:
                self._move(entry, status=status, theme=entry.theme)

    @staticmethod
    def _status_after(event: Any, status: str) -> str:
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
        for index in self._indexes(entry.status, entry.theme):
            self._insert(index, entry.key)

    def _move(self, entry: QueueEntry, *, status: str, theme: str) -> None:
        old = set(self._indexes(entry.status, entry.theme))
        new = set(self._indexes(status, theme))
        for index in old - new:
            self._remove(index, entry.key)
        for index in new - old:
            self._insert(index, entry.key)
        entry.status, entry.theme = status, theme

    @staticmethod
    def _indexes(status: str, theme: str) -> list[tuple[str | None, str | None]]:
        return [(None, None), (status, None), (None, theme), (status, theme)]

    def _insert(self, index: tuple[str | None, str | None], key: Key) -> None:
        keys = self._order.setdefault(index, [])
        if not keys or keys[-1] < key:
            keys.append(key)  # the usual case: meldingen arrive in order
        else:
            insort(keys, key)

    def _remove(self, index: tuple[str | None, str | None], key: Key) -> None:
        keys = self._order[index]
        position = bisect_left(keys, key)
        if position < len(keys) and keys[position] == key:
            del keys[position]

    def page(self, *, status: str | None = None, theme: str | None = None,
             overdue: bool | None = None, now: datetime, offset: int = 0,
             limit: int = 50) -> Page:
        """One page of the queue, oldest first, and how many match in all."""
        with self._lock:
            keys = self._order.get((status, theme), [])
            if overdue is not None:
                entries = self._entries
                keys = [k for k in keys if entries[k[1]].overdue(now) is overdue]
            page = [self._entries[k[1]] for k in keys[offset : offset + limit]]
            return Page(entries=page, total=len(keys))

    def get(self, melding_id: UUID) -> QueueEntry | None:
        return self._entries.get(melding_id)

    def entries(self) -> Iterator[QueueEntry]:
        with self._lock:
            snapshot = list(self._entries.values())
        return iter(snapshot)

    def __len__(self) -> int:
        return len(self._entries)

    def follow(self, app: ServiceApplication, batch: int = 1000) -> None:
        """Catch up on everything stored, then apply each new commit as it happens."""
        app.on_recorded(lambda recordings: [self.apply(r.domain_event) for r in recordings])
        start = None
        while True:
            notifications = app.recorder.select_notifications(start, batch,
                                                              inclusive_of_start=False)
            for notification in notifications:
                self.apply(app.mapper.to_domain_event(notification))
            if len(notifications) < batch:
                return
            start = notifications[-1].id
