"""Reading each service's event store for the audit: its notifications (raw, still
encrypted: the store chain is over the stored bytes) and its seals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from shared.chain import OutboxSealed, seal_id, seals_recorder
from shared.config import Settings
from shared.eventstore import store_environment
from shared.recorders import all_notifications


class StoreReader(Application[UUID]):
    """One service's store, opened by name; it only reads."""

    def __init__(self, service: str, settings: Settings) -> None:
        self.name = service
        super().__init__(store_environment(settings, service))

    def notifications(self) -> Iterator[Notification]:
        return all_notifications(self.recorder)

    def seal_links(self) -> dict[int, str]:
        """Every stored event's link as the relay recorded it (unreadable seals: none)."""
        links: dict[int, str] = {}
        for stored in seals_recorder(self).select_events(seal_id(self.name)):
            seal = self.mapper.to_domain_event(stored)
            assert isinstance(seal, OutboxSealed)
            links.update((int(i), str(link)) for i, link in seal.links)
        return links

    def last_event(self, originator_id: UUID) -> Any | None:
        stored = self.recorder.select_events(originator_id, desc=True, limit=1)
        return self.mapper.to_domain_event(stored[0]) if stored else None
