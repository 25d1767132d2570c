"""Counting attempts per key (a client address, a melding) in fixed time windows.

An attempt is taken before the work it stands for and given back if it turns out not
to count (a right code is not a failed login): so parallel requests can never get more
than the limit past the check. Kept in this process's memory: a restart forgets the
counts, and each intake replica counts for itself; the receipt's 10^16 codes are what
make guessing hopeless, the limit only keeps it slow and visible.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from shared.clock import Clock


class AttemptCounter:
    """At most `limit` attempts per key within `window` seconds. Only the `max_keys`
    most recently started windows are kept, so a flood of new keys cannot fill memory."""

    def __init__(self, limit: int, window: float, clock: Clock, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str) -> bool:
        """Take one attempt, if the key has one left in its window."""
        with self._lock:
            started, attempts = self._current(key)
            if attempts >= self.limit:
                return False
            self._windows[key] = (started, attempts + 1)
            self._windows.move_to_end(key)
            while len(self._windows) > self._max_keys:
                self._windows.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        """Give back an attempt that did not count after all."""
        with self._lock:
            if key in self._windows:
                started, attempts = self._windows[key]
                self._windows[key] = (started, max(0, attempts - 1))

    def _current(self, key: str) -> tuple[float, int]:
        now = self._clock.now().timestamp()
        started, attempts = self._windows.get(key, (now, 0))
        if now - started >= self.window:
            return now, 0
        return started, attempts
