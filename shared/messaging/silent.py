"""The notification ids of events committed without an integration event, as the
commit callback saw them (`shared.messaging.outbox`): the relay only chains those,
without reading them back into events (and, for a melding's event, its key from the
key table to open it). A bitmap from the lowest id not yet passed, so a backlog of
hundreds of thousands costs a bit each; past `limit` bits ahead an id is forgotten,
and the relay reads it back as before."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

#: Bits kept ahead of the relay at most: 1 MiB of bitmap.
LIMIT = 1 << 23


class SilentIds:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._base: int | None = None  # the id of bit 0
        self._bits = bytearray()
        self._lock = threading.Lock()  # the committing threads add, the relay reads

    def add(self, ids: Iterable[int]) -> None:
        with self._lock:
            for id_ in ids:
                if self._base is None:
                    self._base = id_ - id_ % 8
                offset = id_ - self._base
                if not 0 <= offset < self.limit:
                    continue  # before the relay's place, or too far ahead: read back
                if offset // 8 >= len(self._bits):
                    self._bits.extend(bytes(offset // 8 + 1 - len(self._bits)))
                self._bits[offset // 8] |= 1 << offset % 8

    def __contains__(self, id_: int) -> bool:
        with self._lock:
            if self._base is None:
                return False
            offset = id_ - self._base
            return 0 <= offset < len(self._bits) * 8 and bool(
                self._bits[offset // 8] >> offset % 8 & 1)

    def passed(self, up_to: int) -> None:
        """The relay has chained every id up to `up_to`: forget them."""
        with self._lock:
            if self._base is None or up_to < self._base:
                return
            drop = (up_to + 1 - self._base) // 8
            del self._bits[:drop]
            self._base += drop * 8


#: Integration events kept for the relay at most (a stopped relay falls back to reading).
COMMITTED_LIMIT = 4096


class CommittedEvents:
    """The integration events of the notifications just committed, as the commit
    callback made them from the commit's own domain events (`shared.messaging.outbox`):
    the relay publishes them without reading each stored event back and decrypting it
    into the same event. Bounded: past `limit` kept, a commit's events are not kept and
    the relay reads them back as before."""

    def __init__(self, limit: int = COMMITTED_LIMIT) -> None:
        self.limit = limit
        self._events: dict[int, Any] = {}
        self._lock = threading.Lock()  # the committing threads add, the relay takes

    def add(self, events: Iterable[tuple[int, Any]]) -> None:
        with self._lock:
            for id_, event in events:
                if len(self._events) >= self.limit:
                    return
                self._events[id_] = event

    def take(self, id_: int) -> Any | None:
        """The event committed as `id_`, once; None if it was not kept."""
        with self._lock:
            return self._events.pop(id_, None)

    def passed(self, up_to: int) -> None:
        """The relay has chained every id up to `up_to`: forget any left of them."""
        with self._lock:
            for id_ in [i for i in self._events if i <= up_to]:
                del self._events[id_]
