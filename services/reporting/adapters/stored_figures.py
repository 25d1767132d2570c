"""The live figures kept in reporting's own store with the stream sequence they are
at, so that a start reads them and only the events after them, not the whole stream.

One row, replaced each time (`MELDINGEN_FIGURES_KEEP_EVERY` events after the last).
It holds counts and, per melding, the year and moments its later events are counted
by, as `AnnualFigures.state` gives them: no identity and no content. It is a cache
of the stream, never a record of its own: a row that does not read, or is ahead of
the inbox's tracked sequence, is passed over and the figures rebuilt from the stream.

Why not the eventsourcing library's snapshots: those are of an aggregate, read with
its events from the same store, and the figures are no aggregate. A projection of
the stream whose events this store does not hold is what this row keeps.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

import orjson
import sqlalchemy
from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, Table

from services.reporting.domain.figures import AnnualFigures
from shared.config import Settings
from shared.eventstore import schema_of

log = logging.getLogger("meldingen.reporting")
ROW = 1
#: The layout of `AnnualFigures.state`: a row of another layout is passed over.
LAYOUT = 1


class StoredFigures:
    def __init__(self, engine: sqlalchemy.Engine, schema: str | None = None) -> None:
        self.engine = engine
        self.table = Table(
            "reporting_figures", MetaData(schema=schema),
            Column("id", Integer, primary_key=True),
            Column("position", BigInteger, nullable=False),
            Column("layout", Integer, nullable=False),
            Column("state", LargeBinary, nullable=False),
        )
        self.table.create(engine, checkfirst=True)

    @classmethod
    def of(cls, recorder: Any, settings: Settings) -> StoredFigures:
        """Beside the application's events (in its schema on a shared server)."""
        engine = recorder.datastore.engine
        if not isinstance(engine, sqlalchemy.Engine):
            raise TypeError("reporting's store is bound to a connection, not an engine")
        return cls(engine, schema_of(settings, "reporting"))

    def keep(self, position: int, state: bytes) -> None:
        """Replace the kept figures with `state` (`LiveFigures.kept`'s JSON) at
        `position`."""
        # Level 1: most of the gain (the per-melding lists repeat their shape) for
        # little CPU.
        row = {"position": position, "layout": LAYOUT, "state": zlib.compress(state, 1)}
        with self.engine.begin() as connection:
            if connection.execute(self.table.update().where(self.table.c.id == ROW),
                                  row).rowcount == 0:
                connection.execute(self.table.insert(), {"id": ROW, **row})

    def load(self, upto: int) -> tuple[AnnualFigures, int] | None:
        """The kept figures and their position, if there are any at or before `upto`
        that read; else None (the caller rebuilds from the stream)."""
        with self.engine.connect() as connection:
            row = connection.execute(sqlalchemy.select(
                self.table.c.position, self.table.c.layout, self.table.c.state).where(
                self.table.c.id == ROW)).first()
        if row is None:
            return None
        if row.layout != LAYOUT or row.position > upto:
            log.warning("kept figures passed over", extra={
                "position": row.position, "tracked": upto, "layout": row.layout})
            return None
        try:
            figures = AnnualFigures.from_state(orjson.loads(zlib.decompress(row.state)))
        except (zlib.error, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            log.warning("kept figures do not read", extra={"error": type(exc).__name__})
            return None
        return figures, int(row.position)

