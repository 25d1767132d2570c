"""Signed records of stored events rewritten in place, kept beside a service's store
(`<service>_rewrites`), so that the store chain still verifies across them.

The store chain hashes each event's stored bytes, and the store is never rewritten,
with one exception: the migration of meldingen filed before per-melding keys
(`shared.legacy`) replaces such an event's bytes by the same event with its content
under the melding's key (or a receipt's by a tombstone), so that shredding ends every
copy. Its record names the event (notification id and header), its chain link and the
one before it, the SHA-256 of the bytes it replaced and of the bytes it holds now, and
is signed with the service's event signing key. `verify` takes the recorded link for
an event whose bytes, header and predecessor fit a validly signed record, and
recomputes every other: a rewrite without a valid record is named as any alteration.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import DomainEvent

from shared.chain.hashing import StoredRecord


@dataclass(frozen=True)  # the metaclass makes it one too; this tells the type checker
class EventRewritten(DomainEvent):
    """One stored event's bytes replaced, and what the chain needs to pass over it."""

    notification_id: int
    event_originator_id: str
    event_version: int
    event_topic: str
    prev: str  # the store-chain link before it
    link: str  # its own link, as it was chained (and sealed)
    erased_sha256: str  # of the bytes replaced
    state_sha256: str  # of the bytes it holds now
    signature: str  # Ed25519 over `signed_bytes`, base64


def rewrites_id(service: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"meldingen:{service}:rewrites")


def state_sha256(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


def signed_bytes(service: str, notification_id: int, originator_id: str, version: int,
                 topic: str, prev: str, link: str, erased: str, state: str) -> bytes:
    """What the service signs: everything the record says, and whose store it is."""
    return orjson.dumps(["meldingen-rewrite", service, notification_id, originator_id,
                         version, topic, prev, link, erased, state])


def record_bytes(service: str, record: EventRewritten) -> bytes:
    return signed_bytes(service, record.notification_id, record.event_originator_id,
                        record.event_version, record.event_topic, record.prev,
                        record.link, record.erased_sha256, record.state_sha256)


def fits(record: EventRewritten, prev: str, stored: StoredRecord) -> bool:
    """The stored event is the one the record names, after the link it names, and holds
    the bytes it says (a signature is checked where the record is read)."""
    return (record.notification_id == stored.id
            and record.event_originator_id == str(stored.originator_id)
            and record.event_version == stored.originator_version
            and record.event_topic == stored.topic and record.prev == prev
            and record.state_sha256 == state_sha256(stored.state))


_lock = threading.Lock()


def rewrites_recorder(app: Any) -> Any:
    """The table of a service's rewrite records, created once per application."""
    with _lock:
        recorder = getattr(app, "_rewrites_recorder", None)
        if recorder is None:
            recorder = app._rewrites_recorder = app.factory.aggregate_recorder("rewrites")
    return recorder


def rewrites_of(app: Any) -> list[EventRewritten]:
    """Every rewrite record of the application's store, in order."""
    found: list[EventRewritten] = []
    for stored in rewrites_recorder(app).select_events(rewrites_id(app.name)):
        record = app.mapper.to_domain_event(stored)
        if isinstance(record, EventRewritten):
            found.append(record)
    return found
