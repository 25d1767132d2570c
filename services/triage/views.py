"""The queue: an in-memory view of every melding's summary, rebuilt from the event
store at start and kept current from each commit, so listing reads no events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from services.triage.domain.report import Report
from shared.application import ServiceApplication


@dataclass
class QueueEntry:
    id: UUID
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: str
    received_at: datetime
    acknowledged_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


class Queue:
    def __init__(self) -> None:
        self._entries: dict[UUID, QueueEntry] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Report.Received):
                self._entries[event.originator_id] = QueueEntry(
                    id=event.originator_id, kind=event.kind, theme=event.theme,
                    channel=event.channel, anonymous=event.anonymous, status="received",
                    received_at=event.received_at, acknowledged_at=event.acknowledged_at,
                )

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
