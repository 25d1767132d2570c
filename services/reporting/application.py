"""The reporting application: counting into the live figures (`views.py`) and the
signed checkpoints.

Every integration event from intake, triage and investigation reaches `policy`
through the inbox with a tracking record (stream, sequence): that record is all
that is stored per event. The figures themselves live in memory and are rebuilt
at start from the stream up to the tracked sequence, which the replay speed makes
cheap (a year of events in well under a second, a million in about half a minute).
So the store holds no copy of anything the stream already holds, a restart cannot
count an event twice or miss one, and the stream stays the one record to audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import Tracking

from services.reporting.domain.checkpoint import CHECKPOINTS_ID, CheckpointSigned
from services.reporting.views import LiveFigures
from shared.application import ServiceApplication


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
        if event is None:  # a message no contract reads: only its place counts
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
