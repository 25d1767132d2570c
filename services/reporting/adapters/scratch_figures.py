"""The auditor's replay counted on figure tables of its own (issue 23): the live
figures' code (`views.LiveFigures` on `figure_tables.FigureTables`) on a scratch
SQLite file, a batch at a time, so the replay holds a batch and the counts, not a
state per melding (about 410 B a melding in `AnnualFigures`' dicts). The file is
made in the directory given (the service's var dir), never in the live tables, and
deleted when the replay ends."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy

from services.reporting.adapters.figure_tables import Counts, FigureTables
from services.reporting.views import Counted, LiveFigures


class ScratchFigures:
    """`apply` as `AnnualFigures.apply`, counted a batch at a time on scratch tables;
    `digest` as the live figures' (the same code makes both)."""

    BATCH = 2048

    def __init__(self, directory: Path | None = None) -> None:
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self._directory = tempfile.TemporaryDirectory(prefix="replay-", dir=directory)
        self.path = Path(self._directory.name) / "figures.sqlite"
        self.engine = sqlalchemy.create_engine(f"sqlite:///{self.path}")
        sqlalchemy.event.listen(self.engine, "connect", _scratch)
        self.figures = LiveFigures(FigureTables(self.engine))
        self.figures.started(Counts(0, 0, {}))
        self.pending: list[Counted] = []
        self.position = 0

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
            self._count(pending)
        except (ValueError, KeyError, TypeError):
            for event in pending:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self._count([event])

    def _count(self, events: list[Counted]) -> None:
        position = self.position + len(events)
        with self.figures.batch(position, events) as write, self.engine.begin() as connection:
            write(connection)
        self.position = position

    def digest(self) -> str:
        self.flush()
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
