"""Triage's views as stored rows (`shared.viewstore`): the queue's entries and the
closed meldingen retention walks, each row without content.

A queue row leaves out the description's words: they are content, kept only under
the melding's key. After a start from stored rows, the background sweep of the store
reads them back (`fill_words`); until it has, a search answers 503.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from services.triage.adapters.retention import ClosedMeldingen
from services.triage.desk.domain.desk import Desk
from services.triage.domain.report import Report
from services.triage.queue_parts import QueueEntry, _Index, kept_words
from services.triage.views import Queue
from shared.terms import Deadlines
from shared.viewstore import Row

_TIMES = ("received_at", "acknowledged_at", "feedback_at", "overdue_from",
          "meeting_due_by", "last_reply_at", "read_up_to", "shredded_at",
          "closing_feedback_due_by")


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def entry_row(entry: QueueEntry) -> Row:
    row: Row = {name: getattr(entry, name) for name in QueueEntry.__slots__
                if name not in ("words", "deadlines", "overdue_ts")}
    row["id"] = str(entry.id)
    for name in _TIMES:
        row[name] = None if row[name] is None else row[name].isoformat()
    row["excluded"] = list(entry.excluded)
    row["deadlines"] = [entry.deadlines.acknowledge_by.isoformat(),
                        entry.deadlines.feedback_by.isoformat()
                        if entry.deadlines.feedback_by else None]
    return row


def row_entry(row: Row) -> QueueEntry:
    fields: dict[str, Any] = dict(row)
    fields["id"] = UUID(row["id"])
    for name in _TIMES:
        fields[name] = _time(row[name])
    fields["excluded"] = tuple(row["excluded"])
    acknowledge_by, feedback_by = row["deadlines"]
    fields["deadlines"] = Deadlines(acknowledge_by=datetime.fromisoformat(acknowledge_by),
                                    feedback_by=_time(feedback_by))
    entry = QueueEntry(**fields)
    entry.refresh()
    return entry


class StoredQueue(Queue):
    name = "queue"

    def __init__(self, default_authority: str | None = None,
                 closing_feedback_days: int = 5) -> None:
        super().__init__(default_authority, closing_feedback_days)
        self._dirty: set[UUID] = set()
        #: False while the description's words are still to be read back
        self.words_complete = True

    def apply(self, event: Any) -> None:
        super().apply(event)
        with self._lock:
            self._dirty.add(self._desks.get(event.originator_id, event.originator_id))

    def dump(self) -> dict[str, Row | None]:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            return {str(melding_id): entry_row(self._entries[melding_id])
                    if melding_id in self._entries else None for melding_id in dirty}

    def mark(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._dirty.update(UUID(key) for key in keys)

    def restore(self, rows: Iterable[Row]) -> None:
        entries = sorted((row_entry(row) for row in rows), key=lambda e: e.key)
        with self._lock:
            for entry in entries:
                self._entries[entry.id] = entry
                self._desks[Desk.create_id(entry.id)] = entry.id
                for sub in entry.excluded:
                    self._exclusions[sub] = self._exclusions.get(sub, 0) + 1
                for name in self._names(entry.status, entry.theme, entry.authority):
                    index = self._indexes.setdefault(name, _Index())
                    index.keys.append(entry.key)
                    index.entries.append(entry)
                    index.overdue_moments.append(entry.overdue_ts)
            for index in self._indexes.values():
                index.overdue_moments.sort()
            self.words_complete = not entries

    def words_read(self) -> None:
        self.words_complete = True

    def fill_words(self, event: Any) -> None:
        """From the background sweep: a melding's words, unless shredded since."""
        if isinstance(event, Report.Received):
            with self._lock:
                entry = self._entries.get(event.originator_id)
                if entry is not None and entry.shredded_at is None and not entry.words:
                    entry.words = kept_words(event.description)


class StoredClosed(ClosedMeldingen):
    name = "closed"

    def __init__(self) -> None:
        super().__init__()
        self._dirty: set[UUID] = set()

    def apply(self, event: Any) -> None:
        super().apply(event)
        with self._lock:
            self._dirty.add(event.originator_id)

    def dump(self) -> dict[str, Row | None]:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            rows: dict[str, Row | None] = {}
            for melding_id in dirty:
                closed = self._closed.get(melding_id)
                held = melding_id in self._held
                rows[str(melding_id)] = None if closed is None and not held else {
                    "id": str(melding_id), "held": held,
                    "closed_at": closed[0].isoformat() if closed else None,
                    "outcome": closed[1] if closed else None}
            return rows

    def mark(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._dirty.update(UUID(key) for key in keys)

    def restore(self, rows: Iterable[Row]) -> None:
        read = [(UUID(row["id"]), bool(row["held"]),
                 _time(row["closed_at"]), row["outcome"]) for row in rows]
        with self._lock:
            for melding_id, held, closed_at, outcome in read:
                if held:
                    self._held.add(melding_id)
                if closed_at is not None:
                    self._closed[melding_id] = (closed_at, outcome)
