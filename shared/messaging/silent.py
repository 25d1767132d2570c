"""The notification ids of events committed without an integration event, as the
commit callback saw them (`shared.messaging.outbox`): the relay only chains those,
without reading them back into events (and, for a melding's event, its key from the
key table to open it). A bitmap from the lowest id not yet passed, so a backlog of
hundreds of thousands costs a bit each; past `limit` bits ahead an id is forgotten,
and the relay reads it back as before."""

from __future__ import annotations

import threading
from collections.abc import Iterable

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
