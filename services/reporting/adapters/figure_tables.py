"""The live figures' tables in reporting's own store (issue 23): a row per melding with
the year and moments its later events are counted by, the copies counted, and one
counts row with the stream sequence they are all at.

A batch reads the rows of only the meldingen it names and writes those it changed,
with the counts row, in the inbox's tracking transaction (`batch_writer`): the
tables are always at the tracked sequence, so a start reads the counts row and no
event, and memory holds the counts, not a state per melding. A melding's row holds
its id, year, moments (microseconds since 1970, UTC: instants, which is all the
figures compare) and flags: no identity and no content. The year-end open count is
a query over `received` and `closed` (`open_at_end`).

Why not `shared.tableview.TableView`: that view writes its rows in a transaction of
its own after a commit; these must be in the commit itself, with the tracking.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    case,
    func,
    or_,
    select,
)

from services.reporting.domain.figures import (
    CLOSED,
    FEEDBACK_DUE,
    OPEN_AGES,
    RECEIVED,
    REOPENED,
    age_bounds,
    year_end,
)
from shared.config import Settings
from shared.eventstore import schema_of
from shared.viewstore import insert_many

log = logging.getLogger("meldingen.reporting")
ROW = 1
#: The tables' layout: a counts row of another (or the one zlib JSON row before it,
#: layout 1) is passed over and the tables rebuilt from the stream.
LAYOUT = 2
#: Ids per `IN (...)`: well under every driver's limit on parameters.
CHUNK = 500
#: The lengths of `IN (...)` compiled: multiples of this, up to `CHUNK`.
PAD = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MOMENTS = (FEEDBACK_DUE, RECEIVED, CLOSED, REOPENED)
COLUMNS = ("melding_id", "year", "feedback_due", "feedback_given", "admissible",
           "counted", "received", "closed", "reopened")
Cells = dict[tuple[int, str, str], int]
Writer = Callable[[sqlalchemy.Connection], None]


def micros(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    since = moment - EPOCH  # exact, where timestamp() is a float
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds


def instant(value: int | None) -> datetime | None:
    return None if value is None else EPOCH + timedelta(microseconds=value)


def row_of(melding_id: str, state: list[Any]) -> tuple[Any, ...]:
    """A melding's state (`figures.py`'s list) as its row, in `COLUMNS` order."""
    row = list(state)
    for index in MOMENTS:
        row[index] = micros(row[index])
    row[2] = bool(row[2])
    return (melding_id, *row)


def state_of(row: Iterable[Any]) -> list[Any]:
    state = list(row)
    for index in MOMENTS:
        state[index] = instant(state[index])
    state[2] = bool(state[2])  # SQLite's driver gives 0 or 1
    return state


@dataclass(frozen=True)
class Counts:
    position: int
    events: int
    cells: Cells


class FigureTables:
    def __init__(self, engine: sqlalchemy.Engine, schema: str | None = None) -> None:
        self.engine = engine
        metadata = MetaData(schema=schema)
        self.counts = Table(
            "reporting_figure_counts", metadata,
            Column("id", Integer, primary_key=True),
            Column("position", BigInteger, nullable=False),
            Column("layout", Integer, nullable=False),
            Column("events", BigInteger, nullable=False),
            Column("cells", LargeBinary, nullable=False))
        self.meldingen = Table(
            "reporting_figure_meldingen", metadata,
            Column("melding_id", String(64), primary_key=True),
            Column("year", Integer, nullable=False),
            Column("feedback_due", BigInteger),
            Column("feedback_given", Boolean, nullable=False),
            Column("admissible", String(16)),
            Column("counted", Integer, nullable=False),
            Column("received", BigInteger, nullable=False),
            Column("closed", BigInteger),
            Column("reopened", BigInteger),
            Index("reporting_figure_meldingen_received", "received"))
        self.seen = Table(
            "reporting_figure_seen", metadata,
            Column("kind", String(64), primary_key=True),
            Column("melding_id", String(64), primary_key=True),
            Column("at", Text, primary_key=True))
        metadata.create_all(engine)
        # The one zlib JSON row the figures were kept in before (layout 1): a cache.
        Table("reporting_figures", MetaData(schema=schema)).drop(engine, checkfirst=True)

    @classmethod
    def of(cls, recorder: Any, settings: Settings) -> FigureTables:
        """Beside the application's events (in its schema on a shared server)."""
        return cls(engine_of(recorder), schema_of(settings, "reporting"))

    # Reading ----------------------------------------------------------------------

    def load(self, upto: int) -> Counts | None:
        """The counts row, if it is of this layout and at `upto` (the inbox's tracked
        sequence, which it is written with); else None (the caller rebuilds)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(
                self.counts.c.position, self.counts.c.layout, self.counts.c.events,
                self.counts.c.cells).where(self.counts.c.id == ROW)).first()
        if row is None:
            return Counts(0, 0, {}) if upto == 0 else None
        if row.layout != LAYOUT or row.position != upto:
            log.warning("figure tables passed over", extra={
                "position": row.position, "tracked": upto, "layout": row.layout})
            return None
        try:
            cells = {(year, section, key): count
                     for year, section, key, count in orjson.loads(row.cells)}
        except (orjson.JSONDecodeError, TypeError, ValueError) as exc:
            log.warning("figure counts do not read", extra={"error": type(exc).__name__})
            return None
        return Counts(int(row.position), int(row.events), cells)

    def states(self, melding_ids: Iterable[str]) -> dict[str, list[Any]]:
        """The state of each of these meldingen that has a row."""
        wanted, found = list(melding_ids), {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), CHUNK):
                for row in by_ids(connection, self.meldingen, "select",
                                  wanted[start:start + CHUNK]):
                    found[row[0]] = state_of(row[1:])
        return found

    def seen_of(self, keys: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """Which of these copies' keys were counted."""
        wanted, found = list(keys), set()
        table = self.seen
        by_melding = {melding_id for _, melding_id, _ in wanted}
        with self.engine.connect() as connection:
            ids = list(by_melding)
            for start in range(0, len(ids), CHUNK):
                for kind, melding_id, at in connection.execute(select(*table.c).where(
                        table.c.melding_id.in_(ids[start:start + CHUNK]))):
                    found.add((kind, melding_id, at))
        return found & set(wanted)

    def open_at_end(self, year: int) -> dict[str, Any]:
        """`AnnualFigures`' open count at `year`'s end, as a query."""
        end = year_end(year)
        table, at_end = self.meldingen, micros(end)
        bounds = age_bounds(end)
        age = case(*((table.c.received > micros(since), name) for since, name in bounds),
                   else_=OPEN_AGES[-1])
        query = select(age, func.count()).where(
            table.c.received < at_end,
            or_(table.c.closed.is_(None), table.c.closed >= at_end)).group_by(age)
        ages = dict.fromkeys(OPEN_AGES, 0)
        with self.engine.connect() as connection:
            for name, count in connection.execute(query):
                ages[name] = int(count)
        return {"total": sum(ages.values()), "by_age": ages}

    # Writing ----------------------------------------------------------------------

    def batch_writer(self, counts: Counts, changed: dict[str, list[Any]], stored: set[str],
                     seen: set[tuple[str, str, str]]) -> Writer:
        """What a batch writes in its transaction: the meldingen it changed (of which
        those in `stored` have rows to replace), the copies it counted first, and the
        counts row at its position."""
        rows = [row_of(melding_id, state) for melding_id, state in changed.items()]

        def write(connection: sqlalchemy.Connection) -> None:
            ids = [melding_id for melding_id in changed if melding_id in stored]
            for start in range(0, len(ids), CHUNK):
                by_ids(connection, self.meldingen, "delete", ids[start:start + CHUNK])
            insert_many(connection, self.meldingen, COLUMNS, rows)
            insert_many(connection, self.seen, ("kind", "melding_id", "at"), list(seen))
            self._write_counts(connection, counts)
        return write

    def clear(self) -> None:
        """Every table emptied, for a count from the stream's first message."""
        with self.engine.begin() as connection:
            for table in (self.meldingen, self.seen, self.counts):
                connection.execute(table.delete())

    def _write_counts(self, connection: sqlalchemy.Connection, counts: Counts) -> None:
        row = {"position": counts.position, "layout": LAYOUT, "events": counts.events,
               "cells": orjson.dumps([[*cell, n] for cell, n in counts.cells.items()])}
        table = self.counts
        if connection.execute(table.update().where(table.c.id == ROW), row).rowcount == 0:
            connection.execute(table.insert(), {"id": ROW, **row})


def by_ids(connection: sqlalchemy.Connection, table: Table, verb: str, ids: list[str]
           ) -> sqlalchemy.CursorResult[Any]:
    """`verb` ("select" or "delete") the rows of `ids` (at most `CHUNK`), through the
    driver: SQLAlchemy renders an `IN` of a list anew at every execution (about 0.5 µs
    of a replayed event), so the list is padded to a multiple of `PAD` (repeating an
    id changes no answer) and each length's statement compiled once."""
    size = -(-len(ids) // PAD) * PAD
    sql = _ids_statement(table, verb, size, connection.dialect)
    padded = ids + ids[:1] * (size - len(ids))
    if connection.dialect.paramstyle in ("qmark", "format", "numeric"):
        return connection.exec_driver_sql(sql, tuple(padded))
    return connection.exec_driver_sql(sql, {f"i{n}": value for n, value in enumerate(padded)})


@functools.lru_cache(maxsize=64)
def _ids_statement(table: Table, verb: str, size: int, dialect: sqlalchemy.Dialect) -> str:
    where = table.c.melding_id.in_([bindparam(f"i{n}") for n in range(size)])
    statement = select(*table.c).where(where) if verb == "select" \
        else table.delete().where(where)
    return str(statement.compile(dialect=dialect))


def engine_of(recorder: Any) -> sqlalchemy.Engine:
    engine = recorder.datastore.engine
    if not isinstance(engine, sqlalchemy.Engine):
        raise TypeError("reporting's store is bound to a connection, not an engine")
    return engine
