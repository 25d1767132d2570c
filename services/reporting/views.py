"""Reporting's read model: the annual figures in memory, as the inbox keeps them."""

from __future__ import annotations

import threading
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

    def apply(self, position: int, kind: str | None, data: dict[str, Any]) -> None:
        with self._lock:
            if kind is not None:
                self._figures.apply(kind, data)
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
