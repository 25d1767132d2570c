"""Reading each service's event store for the audit: its notifications (raw, still
encrypted: the store chain is over the stored bytes), its seals, and (reporting's)
the signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.system import ProcessApplication

from services.reporting.domain.checkpoint import CHECKPOINTS_ID, Checkpoint, Checkpoints
from shared.chain import sealed_links
from shared.chain.rewrites import EventRewritten, record_bytes, rewrites_of
from shared.config import Settings
from shared.eventstore import store_environment
from shared.messaging.signing import EventVerifier
from shared.recorders import all_notifications


class StoreReader(ProcessApplication[UUID]):
    """One service's store, opened by name; it only reads (a process application for
    the tracking records: every service is one)."""

    def __init__(self, service: str, settings: Settings) -> None:
        self.name = service
        super().__init__(store_environment(settings, service))

    def notifications(self) -> Iterator[Notification]:
        return all_notifications(self.recorder)

    def seal_links(self) -> dict[int, str]:
        """Every stored event's link as the relay recorded it (unreadable seals: none)."""
        return sealed_links(self)

    def rewrites(self, verifier: EventVerifier) -> dict[int, EventRewritten]:
        """The store's rewritten events' records that its service signed (one not
        signed so fits nothing: the event's bytes are then hashed, and do not fit)."""
        return {record.notification_id: record for record in rewrites_of(self)
                if verifier.verify(self.name, record_bytes(self.name, record),
                                   record.signature)}

    def outbox_position(self) -> int:
        """How far the store's relay has published (its tracking record)."""
        return self.recorder.max_tracking_id(f"{self.name}.outbox") or 0

    def checkpoints(self) -> dict[int, tuple[Checkpoint, int]]:
        """Per number, each readable checkpoint and its notification id (one that no
        longer decrypts is the store chain's misfit, named there)."""
        found: dict[int, tuple[Checkpoint, int]] = {}
        for notification in self.notifications():
            if notification.originator_id != CHECKPOINTS_ID:
                continue
            try:
                signed = self.mapper.to_domain_event(notification)
            except Exception:  # noqa: BLE001 - altered bytes: the store chain says so
                continue
            if isinstance(signed, Checkpoints.Signed):
                found[signed.number] = (Checkpoint(
                    signed.number, signed.heads, signed.misfits, signed.signed_at,
                    signed.public_key, signed.signature), notification.id)
        return found
