"""The event store's recorders: eventsourcing-sqlalchemy's, with their hot paths in
SQLAlchemy Core.

The library reads and writes through ORM objects and builds a new query for every
call; under load that was most of the CPU of saving a melding, of reading an
aggregate and of an inbox batch. Here the same rows are written and read, in the
same transactions, with statements built once per shape and executed on the
session's connection, returning plain rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy
from eventsourcing.persistence import IntegrityError, Notification, StoredEvent, Tracking
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyApplicationRecorder,
    SQLAlchemyProcessRecorder,
)
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session


class CoreEvents:
    """Stored events and notifications through Core statements."""

    events_record_cls: Any
    _has_autoincrementing_ids: bool
    transaction: Any
    datastore: SQLAlchemyDatastore

    def _statement(self, key: tuple[Any, ...], build: Any) -> Any:
        """A statement built once per shape: SQLAlchemy caches its compiled form
        under a key it computes once per statement object."""
        statements = self.__dict__.setdefault("_statements", {})
        if key not in statements:
            statements[key] = build()
        return statements[key]

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        if self._has_autoincrementing_ids:
            self._lock_table(session)  # type: ignore[attr-defined]
        table = self.events_record_cls.__table__
        statement = self._statement(("insert",), lambda: sqlalchemy.insert(table).returning(
            table.c.id, sort_by_parameter_order=True))
        rows = [{"originator_id": e.originator_id, "originator_version": e.originator_version,
                 "topic": e.topic, "state": e.state} for e in stored_events]
        ids = list(session.execute(statement, rows).scalars())
        self._notify_channel(session)  # type: ignore[attr-defined]
        return ids

    def select_events(self, originator_id: UUID | str, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> list[StoredEvent]:
        shape = ("events", gt is not None, lte is not None, desc, limit is not None)
        statement = self._statement(shape, lambda: self._select_events(*shape[1:]))
        parameters = {"originator_id": originator_id, "gt": gt, "lte": lte, "limit": limit}
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(statement, parameters).all()
        return [StoredEvent(originator_id=row[0], originator_version=row[1], topic=row[2],
                            state=_bytes(row[3])) for row in rows]

    def _select_events(self, gt: bool, lte: bool, desc: bool, limit: bool) -> Any:
        table = self.events_record_cls.__table__
        version = table.c.originator_version
        statement = select(table.c.originator_id, version, table.c.topic, table.c.state).where(
            table.c.originator_id == bindparam("originator_id"))
        if gt:
            statement = statement.where(version > bindparam("gt"))
        if lte:
            statement = statement.where(version <= bindparam("lte"))
        statement = statement.order_by(version.desc() if desc else version)
        return statement.limit(bindparam("limit")) if limit else statement

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> list[Notification]:
        shape = ("notifications", start is not None, inclusive_of_start, stop is not None,
                 bool(topics))
        statement = self._statement(shape, lambda: self._select_notifications(*shape[1:]))
        parameters = {"start": start, "stop": stop, "topics": list(topics), "limit": limit}
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(statement, parameters).all()
        return [Notification(id=row[0], originator_id=row[1], originator_version=row[2],
                             topic=row[3], state=_bytes(row[4])) for row in rows]

    def _select_notifications(self, start: bool, inclusive: bool, stop: bool,
                              topics: bool) -> Any:
        table = self.events_record_cls.__table__
        statement = select(table.c.id, table.c.originator_id, table.c.originator_version,
                           table.c.topic, table.c.state)
        if start:
            statement = statement.where(
                table.c.id >= bindparam("start") if inclusive else table.c.id > bindparam("start"))
        if stop:
            statement = statement.where(table.c.id <= bindparam("stop"))
        if topics:
            statement = statement.where(table.c.topic.in_(bindparam("topics", expanding=True)))
        return statement.order_by(table.c.id).limit(bindparam("limit"))

    def stored_originators(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of `originator_ids` have stored events: one query for an inbox batch
        instead of a read per melding (most of a backlog's meldingen are new)."""
        if not originator_ids:
            return set()
        table = self.events_record_cls.__table__
        statement = self._statement(("originators",), lambda: select(
            table.c.originator_id).distinct().where(
            table.c.originator_id.in_(bindparam("ids", expanding=True))))
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(statement, {"ids": list(originator_ids)})
            return {UUID(str(row[0])) for row in rows}

    def notification_ids(self, after: int, up_to: int) -> list[int]:
        """The ids stored in (after, up_to], in order."""
        table = self.events_record_cls.__table__
        statement = self._statement(("ids",), lambda: select(table.c.id).where(
            table.c.id > bindparam("after"), table.c.id <= bindparam("up_to")).order_by(
            table.c.id))
        with self.transaction(commit=False) as session:
            return list(session.connection().execute(
                statement, {"after": after, "up_to": up_to}).scalars())

    def engine(self) -> sqlalchemy.Engine:
        """The store's engine, for a service's own tables beside its events."""
        engine = self.datastore.engine
        if not isinstance(engine, sqlalchemy.Engine):
            raise TypeError("the store is bound to a connection, not an engine")
        return engine

    def max_notification_id(self) -> int | None:
        table = self.events_record_cls.__table__
        statement = self._statement(("max_id",), lambda: select(sqlalchemy.func.max(table.c.id)))
        with self.transaction(commit=False) as session:
            return session.connection().execute(statement).scalar()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class InboxTracking(Tracking):
    """The inbox's position in the stream, and with it each source's last applied
    position (`<stream>.<source>`), recorded in the same transaction: what lets the
    inbox refuse a replayed or out-of-order event after a restart too."""

    sources: tuple[Tracking, ...] = ()
    #: Rows a read model writes in the same transaction, on its connection
    #: (reporting's figures: so they are always at the tracked position).
    write: Callable[[sqlalchemy.Connection], None] | None = None


class CoreTracking:
    """Tracking records through Core statements, set by compare-and-set: the position
    only moves forward, and a position taken before is refused with IntegrityError
    (what the library promises), in one UPDATE rather than a read and a write."""

    tracking_table: Any
    transaction: Any
    _statement: Any

    def max_tracking_id(self, application_name: str) -> int | None:
        table = self.tracking_table
        statement = self._statement(("tracking",), lambda: select(table.c.notification_id).where(
            table.c.application_name == bindparam("name")))
        with self.transaction(commit=False) as session:
            return session.connection().execute(  # type: ignore[no-any-return]
                statement, {"name": application_name}).scalar()

    def _insert_tracking(self, session: Session, tracking: Tracking) -> None:
        self._advance(session, tracking)
        for source in getattr(tracking, "sources", ()):
            self._advance(session, source)
        write = getattr(tracking, "write", None)
        if write is not None:
            write(session.connection())

    def _advance(self, session: Session, tracking: Tracking) -> None:
        table = self.tracking_table
        connection = session.connection()
        advance = self._statement(("advance",), lambda: table.update().where(
            table.c.application_name == bindparam("name"),
            table.c.notification_id < bindparam("position"),
        ).values(notification_id=bindparam("position")))
        parameters = {"name": tracking.application_name, "position": tracking.notification_id}
        if connection.execute(advance, parameters).rowcount == 1:
            return
        if self.max_tracking_id(tracking.application_name) is not None:
            raise IntegrityError(f"{tracking.application_name} is already at or past "
                                 f"{tracking.notification_id}")
        # The first record for this name; a concurrent first one fails on the key.
        connection.execute(table.insert().values(application_name=tracking.application_name,
                                                 notification_id=tracking.notification_id))


def all_notifications(recorder: Any, page: int = 1000, *, after: int | None = None,
                      topics: Sequence[str] = ()) -> Iterator[Notification]:
    """Every notification in the store after `after` (of `topics`, if given), oldest
    first, read a page at a time."""
    start = after
    while True:
        notifications = recorder.select_notifications(start, page, topics=topics,
                                                      inclusive_of_start=False)
        yield from notifications
        if len(notifications) < page:
            return
        start = notifications[-1].id


def core_events(recorder: Any) -> CoreEvents:
    """The service's recorder as this module's (every service store is one)."""
    if not isinstance(recorder, CoreEvents):
        raise TypeError(f"{type(recorder).__name__} is not a Core events recorder")
    return recorder


def stored_originators(recorder: Any, originator_ids: set[UUID]) -> set[UUID]:
    """Which of `originator_ids` have stored events (all of them, for a recorder
    without the batch query: `find` then reads each as before)."""
    if isinstance(recorder, CoreEvents):
        return recorder.stored_originators(list(originator_ids))
    return set(originator_ids)


def _bytes(state: bytes | memoryview) -> bytes:
    return bytes(state) if isinstance(state, memoryview) else state


class ApplicationRecorder(CoreEvents, SQLAlchemyApplicationRecorder):
    pass


class ProcessRecorder(CoreTracking, CoreEvents, SQLAlchemyProcessRecorder):
    def __init__(self, datastore: SQLAlchemyDatastore, *, events_table_name: str,
                 tracking_table_name: str, schema_name: str | None = None) -> None:
        super().__init__(datastore, events_table_name=events_table_name,
                         tracking_table_name=tracking_table_name, schema_name=schema_name)
        if schema_name is not None and self.events_record_cls.__table__.schema != schema_name:
            # The library's tracking recorder keeps `schema_name` to itself, so the events
            # table (and its LOCK TABLE) fell into "public": put both in the schema.
            self.tables.remove(self.events_record_cls.__table__)
            self.schema_name = schema_name
            self.events_record_cls = datastore.define_record_class(
                cls_name=f"{schema_name.capitalize()}SchemaStoredEventRecord",
                table_name=events_table_name, schema_name=schema_name,
                base_cls=datastore.base_stored_event_record_cls)
            self.tables.append(self.events_record_cls.__table__)
