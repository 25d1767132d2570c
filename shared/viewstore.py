"""Stored views: a service's in-memory views kept as rows in its own database with the
event store position they are current to, so that a start reads the rows and only
the events after that position instead of the whole history (issue 23).

Why not the eventsourcing library's projections: its `Projection` / `ProjectionRunner`
(9.5) write a view's changes in the view's own store, one tracked transaction per
event, and read that view from there; these views answer from memory (the queue's
indexes) and are fed by each commit's callback, so what is needed is only a
checkpoint of them. Its snapshots are per aggregate, and the views span all of them.

A view offers `apply_all(events)`, `dump()` (its changed rows since the last flush)
and `restore(rows)`; one that writes its rows as they change (triage's queue) dumps
none, and its flush stores only its position. A row here holds no content (no
description, no identity): what the event store keeps under a melding's own key stays
there, so shredding needs nothing here.

The position. Commits are recorded in the order of their notification ids (SQLite
has one writer; the PostgreSQL recorder locks the table for its insert), but two
threads' commit callbacks can reach the views in either order. So a flush stores
the highest id up to which every stored notification was applied: it reads the ids
stored since the last flush and stops below the first one not applied yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import sqlalchemy
from eventsourcing.persistence import Recording
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select

log = logging.getLogger("meldingen.viewstore")

Row = dict[str, Any]


def insert_many(connection: sqlalchemy.Connection, table: Table, columns: tuple[str, ...],
                rows: list[tuple[Any, ...]]) -> None:
    """Insert `rows` (values of `columns`, in that order) through the driver's
    executemany: the statement of `connection.execute(table.insert(), rows)` without
    SQLAlchemy building each row's parameters anew (about 20 µs a row, and a taken-in
    melding brings a row for each word of its description)."""
    if not rows:
        return
    sql, order = _insert_statement(table, columns, connection.dialect)
    if order is None:
        connection.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])
    elif order == tuple(range(len(columns))):
        connection.exec_driver_sql(sql, rows)
    else:
        connection.exec_driver_sql(sql, [tuple(row[i] for i in order) for row in rows])


@functools.lru_cache(maxsize=64)
def _insert_statement(table: Table, columns: tuple[str, ...], dialect: sqlalchemy.Dialect
                      ) -> tuple[str, tuple[int, ...] | None]:
    """The insert's SQL in the dialect's paramstyle, and for a positional one the
    place in `columns` of each parameter (None: named parameters)."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    positions = compiled.positiontup
    return compiled.string, (None if positions is None
                             else tuple(columns.index(name) for name in positions))


class StoredView(Protocol):
    name: str

    def apply_all(self, events: Iterable[Any]) -> None:
        """A commit's events, or a page of those read at start (a view that writes
        its rows as they change writes them in one transaction)."""

    def dump(self) -> dict[str, Row | None]:
        """The rows changed since the last dump (None: removed), and forget them."""

    def mark(self, keys: Iterable[str]) -> None:
        """Count these rows as changed again (a flush that failed)."""

    def restore(self, rows: Iterable[Row]) -> None:
        """Load the stored rows into an empty view; one that does not read raises
        before the view keeps any of them."""


class ViewStore:
    def __init__(self, engine: sqlalchemy.Engine, service: str) -> None:
        self.engine = engine
        metadata = MetaData()
        self.rows = Table(f"{service}_view_rows", metadata,
                          Column("view", String(64), primary_key=True),
                          Column("key", String(64), primary_key=True),
                          Column("row", Text, nullable=False))
        self.positions = Table(f"{service}_view_positions", metadata,
                               Column("view", String(64), primary_key=True),
                               Column("position", Integer, nullable=False))
        metadata.create_all(engine)

    def load(self, view: str, into: Callable[[Iterator[Row]], object]) -> int:
        """Stream the view's rows into `into` (100,000 of them as one list of dicts
        took more memory than the view they make); its stored position, 0 for none."""
        with self.engine.connect() as connection:
            position = connection.execute(select(self.positions.c.position).where(
                self.positions.c.view == view)).scalar()
            if position is None:
                into(iter(()))
                return 0
            rows = connection.execution_options(yield_per=2000).execute(
                select(self.rows.c.row).where(self.rows.c.view == view)).scalars()
            into(json.loads(row) for row in rows)
            return int(position)

    def save(self, position: int, changes: dict[str, dict[str, Row | None]]) -> None:
        """Every view's changed rows and the position, in one transaction."""
        with self.engine.begin() as connection:
            for view, rows in changes.items():
                keys = list(rows)
                for start in range(0, len(keys), 500):
                    connection.execute(self.rows.delete().where(
                        self.rows.c.view == view,
                        self.rows.c.key.in_(keys[start:start + 500])))
                kept = [{"view": view, "key": key, "row": json.dumps(row, default=str)}
                        for key, row in rows.items() if row is not None]
                if kept:
                    connection.execute(self.rows.insert(), kept)
                done = connection.execute(self.positions.update().where(
                    self.positions.c.view == view).values(position=position))
                if done.rowcount == 0:
                    connection.execute(self.positions.insert().values(view=view,
                                                                      position=position))


class Commits:
    """A process's commits under way: each counted from before it is stored until its
    callbacks have run (`ServiceApplication._record` and `_notify`)."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    @property
    def under_way(self) -> int:
        return self._count

    def begin(self) -> None:
        with self._lock:
            self._count += 1

    def end(self) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)


class StoredViews:
    """Views restored from the store, kept current by each commit, flushed now and then.

    `stored_ids(after, up_to)` lists the notification ids in the event store in that
    range (the service's recorder)."""

    def __init__(self, store: ViewStore, views: list[StoredView],
                 stored_ids: Callable[[int, int], list[int]]) -> None:
        self.store = store
        self.views = views
        self._stored_ids = stored_ids
        self._lock = threading.Lock()  # the applied ids and the flush
        self.position = 0  # every notification up to here is in the views
        self._saved = 0  # the position stored
        self._applied: set[int] = set()  # ids applied above the position
        self.read_at_start = 0  # events read after the stored position at start
        #: This process's commits, and the events of the ids given read from the
        #: store: both from the application feeding the views (`feed_stored`). Without
        #: them, a stored id that no callback brought is always waited for.
        self.commits: Commits | None = None
        self.read_ids: Callable[[list[int]], list[Any]] = lambda ids: []

    def restore(self) -> int:
        """Load each view's rows; the position to read the events after. Views with
        different positions (one added later) all start from the lowest: applying an
        event a view has seen changes nothing."""
        positions = []
        for view in self.views:
            try:
                positions.append(self.store.load(view.name, view.restore))
            except (KeyError, TypeError, ValueError) as exc:
                # Rows of another shape (a field added since): the view takes nothing of
                # them (each view reads all its rows before it keeps any), and it is
                # rebuilt from every event.
                log.warning("stored view unreadable, rebuilt from the events",
                            extra={"view": view.name, "error": type(exc).__name__})
                positions.append(0)
        self.position = self._saved = min(positions, default=0)
        return self.position

    def apply_all(self, events: list[Any]) -> None:
        for view in self.views:
            view.apply_all(events)

    def recorded(self, recordings: list[Recording[Any]]) -> None:
        self.apply_all([recording.domain_event for recording in recordings])
        with self._lock:
            self._applied.update(r.notification.id for r in recordings)

    def swept(self, up_to: int, read: int = 0) -> None:
        """The events up to `up_to` read at start (`read` of them) are in the views."""
        self.read_at_start = read
        with self._lock:
            self.position = max(self.position, up_to)
            self._applied = {i for i in self._applied if i > self.position}

    def flush(self) -> None:
        """Store the changed rows and the position every view is complete to."""
        with self._lock:
            top = max(self._applied, default=self.position)
            position = self.position
            ids = self._stored_ids(self.position, top)
            # An id no callback brought is another process's event (the CLI's staff
            # commands write to the console's store) when none of this process's
            # commits is under way: each holds its count from before its commit until
            # its callback has run, which needs this lock. Such an event is applied
            # here; waited for, it held the position there for good, and every flush
            # after read every id stored since.
            if self.commits is not None and self.commits.under_way == 0:
                foreign = [i for i in ids if i not in self._applied]
                if foreign:
                    self.apply_all(self.read_ids(foreign))
                    self._applied.update(foreign)
            for stored in ids:
                if stored not in self._applied:
                    break  # committed, its callback not run yet: the next flush
                position = stored
            changes = {view.name: view.dump() for view in self.views}
            # The sweep at start moves the position without a change: stored too, or
            # every start until the next commit reads those events again.
            if position == self._saved and not any(changes.values()):
                return
            try:
                self.store.save(position, changes)
            except Exception:
                for view, rows in zip(self.views, changes.values(), strict=True):
                    view.mark(rows)
                raise
            self.position = self._saved = position
            self._applied = {i for i in self._applied if i > position}


class Flusher:
    """Flushes the stored views every `every` seconds, and once more as it stops."""

    def __init__(self, views: StoredViews, every: float) -> None:
        self.views = views
        self.every = every
        self._stop = asyncio.Event()

    async def loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every)
            try:
                await asyncio.to_thread(self.views.flush)
            except Exception as exc:  # noqa: BLE001 - the store is away: the next flush
                log.warning("view flush failed", extra={"error": type(exc).__name__})

    def stop(self) -> None:
        self._stop.set()
