"""The reporting application: the live annual figures and the signed checkpoints.

Every integration event from intake, triage and investigation reaches `policy`
through the inbox with a tracking record (stream, sequence): that record is all
that is stored per event. The figures themselves live in memory and are rebuilt
at start from the stream up to the tracked sequence, which the replay speed makes
cheap (a year of events in well under a second, a million in about half a minute).
So the store holds no copy of anything the stream already holds, a restart cannot
count an event twice or miss one, and the stream stays the one record to audit.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import Tracking

from services.reporting.domain.checkpoint import CHECKPOINTS_ID, CheckpointSigned
from services.reporting.domain.figures import AnnualFigures
from shared.application import ServiceApplication
from shared.contracts import IntegrationEvent
from shared.errors import Unavailable


class LiveFigures:
    """The figures as the inbox keeps them, with the stream sequence they are at."""

    def __init__(self) -> None:
        self._figures = AnnualFigures()
        self._lock = threading.Lock()
        self.position = 0
        self.ready = threading.Event()

    def rebuilt(self, figures: AnnualFigures, position: int) -> None:
        with self._lock:
            self._figures, self.position = figures, position
        self.ready.set()

    def apply(self, position: int, kind: str | None, data: dict[str, Any]) -> None:
        with self._lock:
            if kind is not None:
                self._figures.apply(kind, data)
            self.position = position

    def figures(self, year: int) -> dict[str, Any]:
        self._check_ready()
        with self._lock:
            return self._figures.figures(year)

    def snapshot(self) -> tuple[int, int, str]:
        """(stream sequence, events counted, digest), taken together."""
        self._check_ready()
        with self._lock:
            return self.position, self._figures.events, self._figures.digest()

    def _check_ready(self) -> None:
        if not self.ready.is_set():
            raise Unavailable("The figures are being rebuilt from the event stream.")


class ReportingApplication(ServiceApplication):
    name = "reporting"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.live = LiveFigures()

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Every event only counts (after the commit, in `process_event`): nothing is
        stored for it but its tracking record."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        # The inbox applies events in order, after the rebuild; they count once committed.
        super().process_event(domain_event, tracking)
        self._count(domain_event, tracking.notification_id)

    def process_batch(self, events: Sequence[Any], tracking: Tracking) -> None:
        super().process_batch(events, tracking)
        for event in events:
            self._count(event, tracking.notification_id)

    def _count(self, event: Any, position: int) -> None:
        if not isinstance(event, IntegrationEvent):  # a parked message: only its place counts
            self.live.apply(position, None, {})
        else:
            self.live.apply(position, event.type, event.model_dump(mode="json"))

    def tracked_position(self, stream: str) -> int:
        return self.recorder.max_tracking_id(stream) or 0

    def latest_checkpoint(self) -> CheckpointSigned | None:
        stored = self.recorder.select_events(CHECKPOINTS_ID, desc=True, limit=1)
        return self.mapper.to_domain_event(stored[0]) if stored else None  # type: ignore[return-value]

    def record_checkpoint(self, heads: list[dict[str, Any]], signed_at: str, public_key: str,
                          signature: str) -> CheckpointSigned:
        latest = self.latest_checkpoint()
        checkpoint = CheckpointSigned(
            originator_id=CHECKPOINTS_ID,
            originator_version=(latest.originator_version if latest else 0) + 1,
            timestamp=CheckpointSigned.create_timestamp(), heads=heads, signed_at=signed_at,
            public_key=public_key, signature=signature)
        recordings = self.events.put([checkpoint])
        self._notify(recordings)  # the relay chains it into reporting's store chain
        return checkpoint
