"""Reporting's read model: the annual figures in memory, as the inbox keeps them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import orjson

from services.reporting.domain.figures import AnnualFigures
from shared.errors import Unavailable


class LiveFigures:
    """The figures as the inbox keeps them, with the stream sequence they are at."""

    def __init__(self) -> None:
        self._figures = AnnualFigures()
        self._lock = threading.Lock()
        self.position = 0
        self.ready = threading.Event()

    def rebuilt(self, figures: AnnualFigures, position: int) -> None:
        with self._lock:
            self._figures, self.position = figures, position
        self.ready.set()

    def apply_batch(self, position: int,
                    events: Sequence[tuple[str, dict[str, Any]] | None]) -> None:
        """Count a batch's events (None: a message of which only the place counts) and
        move to its position, under one hold of the lock: a snapshot between two of
        its events would pair the batch's position with part of its counts, and the
        replay to that position would not match."""
        apply = self._figures.apply
        with self._lock:
            for counted in events:
                if counted is not None:
                    apply(*counted)
            self.position = position

    def kept(self) -> tuple[int, bytes]:
        """(stream sequence, the figures' state in JSON), taken together."""
        self._check_ready()
        with self._lock:
            return self.position, orjson.dumps(self._figures.state())

    def figures(self, year: int) -> dict[str, Any]:
        self._check_ready()
        with self._lock:
            return self._figures.figures(year)

    def snapshot(self) -> tuple[int, int, str]:
        """(stream sequence, events counted, digest), taken together."""
        self._check_ready()
        with self._lock:
            return self.position, self._figures.events, self._figures.digest()

    def _check_ready(self) -> None:
        if not self.ready.is_set():
            raise Unavailable("The figures are being rebuilt from the event stream.")
