"""The reporting application: counting into the live figures (`views.py`), the
meldpunt's written account of each year, and the signed checkpoints.

Every integration event from intake, triage and investigation reaches `policy`
through the inbox with a tracking record (stream, sequence). A batch is counted
before its commit, on the figure tables' rows of the meldingen it names, and those
rows and the counts row are written in the tracking transaction
(`adapters/figure_tables.py`). So the tables are always at the tracked sequence: a
restart reads the counts row, and cannot count an event twice or miss one. The
stream stays the one record to audit: the tables are a projection of a prefix of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import Tracking

from services.reporting.adapters.figure_tables import FigureTables, engine_of
from services.reporting.domain.account import PARTS, AnnualAccount
from services.reporting.domain.checkpoint import (
    CHECKPOINTS_ID,
    Checkpoint,
    Checkpoints,
    Signer,
)
from services.reporting.views import LiveFigures
from shared.application import ServiceApplication
from shared.clock import Clock, SystemClock
from shared.contracts import CheckpointSigned, IntegrationEvent
from shared.recorders import InboxTracking
from shared.terms import local_date


class ReportingApplication(ServiceApplication):
    name = "reporting"
    # One checkpoint a minute adds half a million events a year to one aggregate.
    snapshotting_intervals = {Checkpoints: 100}
    finds_meldingen = False  # its policy stores nothing per event

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None,
                 schema: str | None = None) -> None:
        """`schema`: reporting's PostgreSQL schema on a shared server, for its tables."""
        super().__init__(env)
        self.live = LiveFigures(FigureTables(engine_of(self.recorder), schema))
        self.clock = clock or SystemClock()

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Every event only counts (`process_admitted`): no event is stored for it."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        # The inbox applies events in order, after the rebuild.
        self.process_batch([domain_event], tracking)

    def process_batch(self, events: Sequence[Any], tracking: Tracking,
                      prepared: Any = None) -> None:
        self.process_admitted(events, tracking, [None] * len(events), prepared)

    def process_admitted(self, events: Sequence[Any], tracking: Tracking,
                         bodies: Sequence[dict[str, Any] | None], prepared: Any = None
                         ) -> None:
        """Counted from the envelopes as parsed, as the replay counts them (an event
        without one, from its contract's fields), the whole batch at its position, its
        rows written with its tracking record."""
        counted = [_counted(event, body) for event, body in zip(events, bodies, strict=True)]
        with self.live.batch(tracking.notification_id, counted) as write:
            super().process_batch(events, InboxTracking(
                tracking.application_name, tracking.notification_id,
                sources=getattr(tracking, "sources", ()), write=write), prepared)

    def tracked_position(self, stream: str) -> int:
        return self.recorder.max_tracking_id(stream) or 0

    def latest_checkpoint(self) -> Checkpoint | None:
        checkpoints = self._checkpoints()
        return None if checkpoints is None else checkpoints.latest

    def sign_checkpoint(self, heads: list[dict[str, Any]], misfits: list[dict[str, Any]],
                        signed_at: str, signer: Signer) -> Checkpoint:
        """Number, sign and save the next checkpoint; the outbox relay then chains it
        and publishes it on the stream."""
        checkpoints = self._checkpoints() or Checkpoints()
        checkpoint = checkpoints.sign(heads, misfits, signed_at, signer)
        self.save(checkpoints)
        return checkpoint

    def write_account(self, year: int, part: str, text: str, by: str) -> dict[str, Any]:
        """The meldpunt writes one part of a year's account; the account as it is now."""
        now = self.clock.now()

        def get() -> AnnualAccount:
            return self._account(year) or AnnualAccount(year)

        this_year = local_date(now).year
        account = self.update(get, lambda a: a.write(part, text, by, now.isoformat(),
                                                     this_year),
                              conflict="The account was written at the same moment; "
                                       "try again.")
        return account.published()

    def account(self, year: int) -> dict[str, dict[str, Any] | None]:
        """A year's written account, every part None until written."""
        account = self._account(year)
        return account.published() if account else dict.fromkeys(PARTS)

    def _account(self, year: int) -> AnnualAccount | None:
        try:
            return self.repository.get(AnnualAccount.create_id(year))
        except AggregateNotFoundError:
            return None

    def _checkpoints(self) -> Checkpoints | None:
        try:
            return self.repository.get(CHECKPOINTS_ID)
        except AggregateNotFoundError:
            return None

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        if isinstance(domain_event, Checkpoints.Signed):
            return CheckpointSigned(
                number=domain_event.number, heads=domain_event.heads,
                misfits=domain_event.misfits, signed_at=domain_event.signed_at,
                public_key=domain_event.public_key, signature=domain_event.signature)
        return None


def _counted(event: Any, body: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """(type, data) the figures count of an applied event; None for a parked message or
    reporting's own checkpoint, of which only the place counts."""
    if not isinstance(event, IntegrationEvent) or isinstance(event, CheckpointSigned):
        return None
    if body is not None:
        return body["type"], body["data"]
    return event.type, event.model_dump(mode="json")
