"""Hash chains that make the event log tamper-evident.

Two chains per service, both SHA-256, both computed by the outbox relay:

- the *store chain* over the service's stored events, in notification order:
  `link(n) = SHA-256(link(n-1) || header(n) || "\\n" || state(n))`, where the header
  is `[id, originator_id, originator_version, topic]` as JSON and the state is the
  stored (encrypted) bytes, so it can be checked without the cipher key;
- the *stream chain* over the integration events the service publishes: each
  envelope carries `prev`, the SHA-256 of the previous envelope's published bytes
  (which include its own `prev`), and `stored`, the store-chain link of the event
  it came from, which ties the two chains together.

The relay keeps the heads of both chains, and each stored event's link, in the
service's own database: an `OutboxSealed` event per batch in a table of its own
(`<service>_chain`, beside the notification log, not in it), recorded after the
batch was published and before the outbox position. A restart continues the
chains from the last seal, which is also proof of how far publishing got.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking

GENESIS = "0" * 64


class StoredRecord(Protocol):
    """What the chain reads of a stored notification (eventsourcing's `Notification`)."""

    @property
    def id(self) -> int: ...
    @property
    def originator_id(self) -> Any: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


def store_link(prev: str, record: StoredRecord) -> str:
    """The store-chain link of one stored event, after `prev`."""
    header = orjson.dumps(
        [record.id, str(record.originator_id), record.originator_version, record.topic])
    digest = hashlib.sha256(bytes.fromhex(prev))
    digest.update(header)
    digest.update(b"\n")
    digest.update(record.state)
    return digest.hexdigest()


def envelope_hash(payload: bytes) -> str:
    """The stream-chain hash of one published envelope (its exact bytes)."""
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)  # as the library's metaclass makes it, spelled out for the checker
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


@dataclass
class Break:
    """The first place where a chain does not fit."""

    chain: str
    position: int
    reason: str
    sequence: int | None = None  # in the stream, for a stream chain

    def as_dict(self) -> dict[str, Any]:
        named = {"chain": self.chain, "position": self.position, "reason": self.reason}
        return named if self.sequence is None else {**named, "sequence": self.sequence}


@dataclass
class ChainCheck:
    """Walks one chain in order and remembers the first event that does not fit.

    `checkpoint` is a signed (count, head, last position) from earlier: the walk must
    pass through it, which is what detects a log whose last events were cut off."""

    chain: str
    checkpoint: tuple[int, str, int] | None = None
    count: int = 0
    head: str = GENESIS
    last_position: int = 0
    first_bad: Break | None = None

    def bad(self, position: int, reason: str, sequence: int | None = None) -> None:
        if self.first_bad is None:
            self.first_bad = Break(self.chain, position, reason, sequence)

    def advance(self, position: int, link: str) -> None:
        if position <= self.last_position:
            self.bad(position, f"position {position} does not follow {self.last_position}")
        self.count += 1
        self.head, self.last_position = link, position
        at_checkpoint = self.checkpoint is not None and self.count == self.checkpoint[0]
        if at_checkpoint and link != self.checkpoint[1]:  # type: ignore[index]
            self.bad(position, "differs from the signed checkpoint")

    def finish(self) -> None:
        if self.checkpoint is not None and self.count < self.checkpoint[0]:
            count, _, position = self.checkpoint
            self.bad(position, f"the log ends after position {self.last_position} with "
                     f"{self.count} events; a signed checkpoint counted {count} up to "
                     f"position {position}: the end was cut off")

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "ok": self.first_bad is None, "events": self.count,
                "head": self.head, "position": self.last_position,
                "first_bad": self.first_bad.as_dict() if self.first_bad else None}


class StreamCheck(ChainCheck):
    """One source's integration events, in stream order: each names its predecessor."""

    def message(self, sequence: int, position: int, prev: str | None, payload: bytes) -> None:
        if prev != self.head:
            self.bad(position, "its prev is not the hash of the event before it", sequence)
        self.advance(position, envelope_hash(payload))


class StoreCheck(ChainCheck):
    """One service's stored events against the links its seals and envelopes recorded."""

    def __init__(self, chain: str, witnesses: dict[int, str],
                 checkpoint: tuple[int, str, int] | None = None) -> None:
        super().__init__(chain, checkpoint)
        self.witnesses = witnesses
        self.links: dict[int, str] = {}
        self._unseen = sorted(witnesses)
        self._next = 0

    def record(self, record: StoredRecord) -> None:
        self._missing_up_to(record.id)
        link = store_link(self.head, record)
        expected = self.witnesses.get(record.id)
        if expected is not None and expected != link:
            self.bad(record.id, "its hash differs from the one recorded for it")
        self.links[record.id] = link
        self.advance(record.id, link)

    def finish(self) -> None:
        self._missing_up_to(None)
        super().finish()

    def _missing_up_to(self, position: int | None) -> None:
        """Witnessed ids that the walk passed without meeting were deleted."""
        while self._next < len(self._unseen) and (
                position is None or self._unseen[self._next] <= position):
            if self._unseen[self._next] != position:
                self.bad(self._unseen[self._next], "recorded as stored, but missing")
            self._next += 1
