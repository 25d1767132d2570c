"""A replay's events counted on figure tables (issue 23), the one way the figures are
counted from the stream: the live figures' code (`views.LiveFigures` on
`figure_tables.FigureTables`) a batch at a time, so a replay holds a batch and the
counts, not a state per melding (about 410 B a melding in `AnnualFigures`' dicts).

`TableCount` counts into given tables: the service's own at a start whose tables do
not fit. `ScratchFigures` counts into tables of their own, for the auditor's replay:
a scratch SQLite file in the directory given (the service's var dir), never the
live tables, deleted when the replay ends."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy

from services.reporting.adapters.figure_tables import Counts, FigureTables
from services.reporting.views import Counted, LiveFigures

#: The counts row's sequence while a count is under way: no tracked sequence is, so
#: a start that finds it (a rebuild cut off) passes the tables over and rebuilds.
UNFINISHED = -1


class TableCount:
    """`apply` as `AnnualFigures.apply`, counted a batch at a time on `figures`' tables,
    which start empty; `finish` puts them at the sequence the count read to."""

    BATCH = 2048

    def __init__(self, figures: LiveFigures) -> None:
        self.figures = figures
        self.engine = figures.tables.engine
        figures.tables.clear()
        self.pending: list[Counted] = []

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        self.pending.append((kind, data))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Count the pending events. One the figures cannot read (a field missing or
        of the wrong type) counts nothing, as in `AnnualFigures`: the batch is then
        counted again an event at a time, without it."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        try:
            self._count(pending, UNFINISHED)
        except (ValueError, KeyError, TypeError):
            for event in pending:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self._count([event], UNFINISHED)

    def finish(self, position: int) -> Counts:
        """The rest counted, and the counts row at `position`; the figures answer."""
        self.flush()
        self._count([], position)
        counts = self.figures.tables.load(position)
        assert counts is not None  # just written, in this layout
        self.figures.started(counts)
        return counts

    def _count(self, events: list[Counted], position: int) -> None:
        with self.figures.batch(position, events) as write, self.engine.begin() as connection:
            write(connection)


class ScratchFigures(TableCount):
    """A `TableCount` on tables of its own in a scratch file; `digest` as the live
    figures' (the same code makes both)."""

    def __init__(self, directory: Path | None = None) -> None:
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self._directory = tempfile.TemporaryDirectory(prefix="replay-", dir=directory)
        self.path = Path(self._directory.name) / "figures.sqlite"
        engine = sqlalchemy.create_engine(f"sqlite:///{self.path}")
        sqlalchemy.event.listen(engine, "connect", _scratch)
        super().__init__(LiveFigures(FigureTables(engine)))

    def digest(self) -> str:
        self.finish(0)
        return self.figures.snapshot()[2]

    def close(self) -> None:
        self.engine.dispose()
        self._directory.cleanup()

    def __enter__(self) -> ScratchFigures:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _scratch(connection: Any, _: object) -> None:
    """A scratch file, deleted after: no journal, no fsync a batch."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()
