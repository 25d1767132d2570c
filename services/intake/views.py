"""The meeting requests waiting for a meeting: an in-memory view of the reporters who
asked to meet, rebuilt from the event store at start and kept current from each
commit, so the meldpunt's list reads no events."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.domain.report import MeetingVia, Report


@dataclass(frozen=True)
class MeetingRequest:
    melding_id: UUID
    via: MeetingVia
    requested_at: datetime
    due_by: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.due_by


class MeetingRequests:
    def __init__(self) -> None:
        self._open: dict[UUID, MeetingRequest] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Report.MeetingRequested):
                self._open[event.originator_id] = MeetingRequest(
                    melding_id=event.originator_id, via=event.via,
                    requested_at=event.at, due_by=event.due_by)
            elif isinstance(event, Report.MeetingRecorded | Report.Closed):
                self._open.pop(event.originator_id, None)

    def waiting(self) -> list[MeetingRequest]:
        """The open requests, the one whose term ends first first."""
        with self._lock:
            return sorted(self._open.values(), key=lambda r: (r.due_by, r.melding_id))
