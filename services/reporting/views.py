"""Reporting's read model: the annual figures as the inbox keeps them, the counts in
memory and the per-melding state in reporting's store (`adapters/figure_tables.py`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from services.reporting.adapters.figure_tables import Counts, FigureTables, Writer
from services.reporting.domain.figures import AnnualFigures, copy_key
from shared.errors import Unavailable

Counted = tuple[str, dict[str, Any]] | None


class LiveFigures:
    """The figures as the inbox keeps them, with the stream sequence they are at."""

    def __init__(self, tables: FigureTables) -> None:
        self.tables = tables
        self._counts = Counts(0, 0, {})
        self._lock = threading.Lock()
        self.ready = threading.Event()

    @property
    def position(self) -> int:
        return self._counts.position

    def started(self, counts: Counts) -> None:
        """From the counts row the tables are at (a start reads nothing else)."""
        with self._lock:
            self._counts = counts
        self.ready.set()

    @contextlib.contextmanager
    def batch(self, position: int, events: Sequence[Counted]) -> Iterator[Writer]:
        """Count a batch's events (None: a message of which only the place counts) on
        the rows of the meldingen it names, and give what writes the changed rows and
        the counts at `position`, for the caller to run in its transaction. The counts
        move once that is done, under one hold of the lock (a snapshot between two of
        its events would pair the batch's position with part of its counts); if it
        fails, nothing moved."""
        with self._lock:
            counted = [event for event in events if event is not None]
            named = {data["melding_id"] for _, data in counted
                     if isinstance(data.get("melding_id"), str)}
            keys = {key for kind, data in counted if (key := copy_key(kind, data))}
            states = self.tables.states(named) if named else {}
            before = {melding_id: list(state) for melding_id, state in states.items()}
            seen = self.tables.seen_of(keys) if keys else set()
            figures = AnnualFigures(states, set(seen))
            figures.cells, figures.events = dict(self._counts.cells), self._counts.events
            for kind, data in counted:
                figures.apply(kind, data)
            changed = {melding_id: state for melding_id, state in states.items()
                       if before.get(melding_id) != state}
            counts = Counts(position, figures.events, figures.cells)
            yield self.tables.batch_writer(counts, changed, set(before),
                                           set(figures.seen) - seen)
            self._counts = counts

    def figures(self, year: int) -> dict[str, Any]:
        self._check_ready()
        with self._lock:
            return self._reading().figures(year)

    def snapshot(self) -> tuple[int, int, str]:
        """(stream sequence, events counted, digest), taken together."""
        self._check_ready()
        with self._lock:
            return self._counts.position, self._counts.events, self._reading().digest()

    def _reading(self) -> AnnualFigures:
        figures = AnnualFigures()
        figures.cells, figures.events = self._counts.cells, self._counts.events
        figures.open_at_end = self.tables.open_at_end
        return figures

    def _check_ready(self) -> None:
        if not self.ready.is_set():
            raise Unavailable("The figures are being rebuilt from the event stream.")
