"""The relay's seals: the heads of a service's two chains (`shared.chain.hashing`)
and each stored event's link, kept in the service's own database.

An `OutboxSealed` event per batch goes into a table of its own (`<service>_chain`,
beside the notification log, not in it), recorded after the batch was published
and in one transaction with the outbox position. A restart continues the chains
from the last seal, which is also proof of how far publishing got.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

from shared.chain.hashing import GENESIS, StoredRecord, envelope_hash, store_link


@dataclass(frozen=True)  # the metaclass makes it one too; this tells the type checker
class OutboxSealed(DomainEvent):
    """The relay's chain heads after a batch, and each chained event's link."""

    position: int
    stream_head: str
    store_head: str
    links: list[list[Any]]  # [[notification id, store link], ...]


def seal_id(service: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"meldingen:{service}:outbox-seal")


@dataclass
class Heads:
    position: int = 0
    stream_head: str = GENESIS
    store_head: str = GENESIS
    version: int = 0  # of the seal sequence


@dataclass
class SealBatch:
    """The chains' progress through one relay batch; nothing changes until commit."""

    heads: Heads
    links: list[list[Any]] = field(default_factory=list)

    def stored(self, record: StoredRecord) -> str:
        """Chain one stored event; returns its link."""
        self.heads.store_head = store_link(self.heads.store_head, record)
        self.heads.position = record.id
        self.links.append([record.id, self.heads.store_head])
        return self.heads.store_head

    def published(self, payload: bytes) -> None:
        self.heads.stream_head = envelope_hash(payload)


class OutboxChain:
    """The chain heads of one service, kept in its database beside the relay's position."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.id = seal_id(app.name)
        self.heads = Heads()
        self._seals: Any = None

    def load(self, tracking_name: str) -> Heads:
        """Read the last seal (one row); a store without one starts at genesis. A seal
        beyond the outbox position (written apart by an earlier version) moves it up."""
        self._seals = seals_recorder(self.app)
        stored = self._seals.select_events(self.id, desc=True, limit=1)
        if stored:
            seal = self.app.mapper.to_domain_event(stored[0])
            self.heads = Heads(seal.position, seal.stream_head, seal.store_head,
                               seal.originator_version)
        if self.heads.position > (self.app.recorder.max_tracking_id(tracking_name) or 0):
            self.app.recorder.insert_tracking(Tracking(tracking_name, self.heads.position))
        return self.heads

    def batch(self) -> SealBatch:
        h = self.heads
        return SealBatch(Heads(h.position, h.stream_head, h.store_head, h.version))

    def commit(self, batch: SealBatch, tracking: Tracking | None) -> None:
        """Record the batch's seal and the relay's position in one transaction (one
        commit, one fsync: both or neither)."""
        with self.app.recorder.transaction(commit=True):
            if batch.links:
                heads = batch.heads
                heads.version += 1
                seal = OutboxSealed(
                    originator_id=self.id, originator_version=heads.version,
                    timestamp=OutboxSealed.create_timestamp(), position=heads.position,
                    stream_head=heads.stream_head, store_head=heads.store_head,
                    links=batch.links)
                # Joins the transaction above: the library keeps one per context.
                self._seals.insert_events([self.app.mapper.to_stored_event(seal)])
            if tracking is not None:
                self.app.recorder.insert_tracking(tracking)
        self.heads = batch.heads


_seals_lock = threading.Lock()


def seals_recorder(app: Any) -> Any:
    """The table of a service's seals, created once per application (two relays of one
    application would otherwise race to create it)."""
    with _seals_lock:
        recorder = getattr(app, "_seals_recorder", None)
        if recorder is None:
            recorder = app._seals_recorder = app.factory.aggregate_recorder("chain")
    return recorder


def sealed_links(app: Any) -> dict[int, str]:
    """Every chained event's link, as the relay's seals recorded it."""
    links: dict[int, str] = {}
    for stored in seals_recorder(app).select_events(seal_id(app.name)):
        seal = app.mapper.to_domain_event(stored)
        assert isinstance(seal, OutboxSealed)
        links.update((int(i), str(link)) for i, link in seal.links)
    return links
