"""What a queue page reads besides its own rows, kept between pages: each filter's
total, whether a sub is excluded anywhere, and the queue's next term to pass (issue
23: a page not kept, such as a cursor's, asked once, read them all again).

Each holds only while the queue's version is the one it was read at (every commit
that changes a row moves it on) and the moment asked lies between the moment it was
read at and the queue's next term: a total with `overdue` changes with the time alone
only when a term passes. So a cursor's pages of one filter read their rows and
nothing else. Held in memory only, as the rows' other pages are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

#: Totals kept at most before they are all dropped: a few filters per reader.
SIZE = 4096


class Memo:
    def __init__(self, version: int, since: float, until: float) -> None:
        self.version, self.since, self.until = version, since, until
        self._totals: dict[Hashable, int] = {}
        self._excluded: dict[Hashable, bool] = {}
        self._lock = threading.Lock()

    def holds(self, version: int, moment: float) -> bool:
        return version == self.version and self.since <= moment < self.until

    def total(self, key: Hashable, read: Callable[[], int]) -> int:
        return self._kept(self._totals, key, read)

    def excluded(self, sub: str, read: Callable[[], bool]) -> bool:
        return self._kept(self._excluded, sub, read)

    def _kept(self, kept: dict[Hashable, T], key: Hashable, read: Callable[[], T]) -> T:
        value = kept.get(key)
        if value is None:
            value = read()
            with self._lock:
                if len(kept) >= SIZE:
                    kept.clear()
                kept[key] = value
        return value
