"""The two hash chains' links, both SHA-256.

- the *store chain* over a service's stored events, in notification order:
  `link(n) = SHA-256(link(n-1) || header(n) || "\\n" || state(n))`, where the header
  is `[id, originator_id, originator_version, topic]` as JSON and the state is the
  stored (encrypted) bytes, so it can be checked without the cipher key;
- the *stream chain* over the integration events a service publishes: each
  envelope carries `prev`, the hash of the previous envelope's published bytes
  (which include its own `prev`), and `stored`, the store-chain link of the event
  it came from, which ties the two chains together.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

import orjson

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
