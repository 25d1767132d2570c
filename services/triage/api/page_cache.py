"""Queue pages kept as the bytes they were sent as, so that a read-mostly queue asked
the same page again answers without a query, a decoding or a JSON dump (issue 23).

A page is kept under what alone decides its answer: the reader's need-to-know as
`shared.authz.visibility` states it (so two staff whose need-to-know differs never
share one) and the filters asked. It is given again only while the queue's version
is the one it was read at (`Queue.version`: every commit that changes a row moves it
on) and before the first moment at which the time alone changes it (`Page.until`: a
term passing). Held in memory only, as the rows it was read from are; a shredding
empties it (`clear`), so that no page kept from before it, served or not, holds
anything of the melding.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

#: Pages kept at most, the least recently asked dropped first: about 30 kB each at
#: 50 items, so a few MiB.
SIZE = 256


class PageCache:
    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, tuple[int, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._oldest = 0  # the oldest version a page may be kept at (`clear`)

    def get(self, key: Hashable, version: int, now: float) -> bytes | None:
        """The page kept under `key`, if it was read at `version` and holds at `now`
        (a timestamp)."""
        kept = self._pages.get(key)
        if kept is None or kept[0] != version or now >= kept[1]:
            return None
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
        return kept[2]

    def put(self, key: Hashable, version: int, until: float, body: bytes) -> None:
        with self._lock:
            if version < self._oldest:
                return
            self._pages[key] = (version, until, body)
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def clear(self, version: int) -> None:
        """Drop every page, and keep none read before `version` from now on: a page
        read while a shredding committed, put after this, holds the melding too."""
        with self._lock:
            self._pages.clear()
            self._oldest = max(self._oldest, version)

    def __len__(self) -> int:
        return len(self._pages)
