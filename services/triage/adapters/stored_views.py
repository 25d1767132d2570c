"""The closed meldingen retention walks, as stored rows (`shared.viewstore`), each
row without content. (The queue stores its own rows: `services.triage.adapters.queue_table`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from services.triage.adapters.retention import ClosedMeldingen
from shared.viewstore import Row


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class StoredClosed(ClosedMeldingen):
    name = "closed"

    def __init__(self) -> None:
        super().__init__()
        self._dirty: set[UUID] = set()

    def apply(self, event: Any) -> None:
        super().apply(event)
        with self._lock:
            self._dirty.add(event.originator_id)

    def apply_all(self, events: Iterable[Any]) -> None:
        for event in events:
            self.apply(event)

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
