"""Event store configuration: eventsourcing-sqlalchemy on SQLite (one WAL file per
service, the embedded default) or PostgreSQL (one schema per service)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyApplicationRecorder,
    SQLAlchemyProcessRecorder,
)
from sqlalchemy.orm import Session

from shared.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Datastore(SQLAlchemyDatastore):
    """Sets SQLite's pragmas on every connection as it is opened.

    The library switches to WAL lazily, inside the first transaction; with
    concurrent requests that races and fails with `database is locked`. Here WAL
    and a busy timeout are set when a connection is made, before any transaction.
    """

    synchronous = "FULL"

    def __init__(self, **kwargs: Any) -> None:
        url = kwargs.get("url") or ""
        if url.startswith("sqlite") and ":memory:" not in url:
            kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                               "check_same_thread": False})
        super().__init__(**kwargs)
        if self.is_sqlite_filedb and self.engine is not None:
            sqlalchemy.event.listen(self.engine, "connect", self._sqlite_pragmas)
            self.is_sqlite_wal_mode = True
            self._tried_init_sqlite_wal_mode = True

    def _sqlite_pragmas(self, dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={self.synchronous}")
        cursor.close()


class CoreInsert:
    """Stored events inserted with one Core `INSERT ... RETURNING id` (executemany)
    instead of ORM objects and a unit-of-work flush: the same rows, in the same
    transaction, with the same notification ids back, for a fraction of the CPU
    (the ORM flush was most of the cost of saving a melding under load)."""

    events_record_cls: Any
    _has_autoincrementing_ids: bool

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        if self._has_autoincrementing_ids:
            self._lock_table(session)  # type: ignore[attr-defined]
        table = self.events_record_cls.__table__
        rows = [{"originator_id": e.originator_id, "originator_version": e.originator_version,
                 "topic": e.topic, "state": e.state} for e in stored_events]
        statement = sqlalchemy.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(session.execute(statement, rows).scalars())
        self._notify_channel(session)  # type: ignore[attr-defined]
        return ids


class ApplicationRecorder(CoreInsert, SQLAlchemyApplicationRecorder):
    pass


class ProcessRecorder(CoreInsert, SQLAlchemyProcessRecorder):
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


class Factory(SQLAlchemyFactory):
    """`PERSISTENCE_MODULE` points here (the module's `Factory`)."""

    datastore_class = Datastore
    application_recorder_class = ApplicationRecorder
    process_recorder_class = ProcessRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        assert isinstance(self.datastore, Datastore)
        self.datastore.synchronous = self.env.get("SQLITE_SYNCHRONOUS") or "FULL"


def store_environment(settings: Settings, service: str) -> dict[str, str]:
    """The eventsourcing environment for one service's application."""
    url = with_password(settings.database_url_of(service), settings.database_password_value)
    env = {
        "PERSISTENCE_MODULE": f"{__name__}:Factory",
        "SQLALCHEMY_URL": url,
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": settings.cipher_key_b64,
        "COMPRESSOR_TOPIC": "zlib",
        "SQLITE_SYNCHRONOUS": settings.sqlite_synchronous,
    }
    if url.startswith("postgresql"):
        own = getattr(settings, f"{service}_database_url")
        if not own:  # a shared server: one schema per service
            env["SQLALCHEMY_SCHEMA"] = service
            ensure_schema(url, service)
    else:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    return env


def ensure_schema(url: str, schema: str) -> None:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        engine.dispose()


def with_password(url: str, password: str | None) -> str:
    """The URL with the separately given password (a docker secret), unless it has one."""
    if password is None or not url.startswith("postgresql"):
        return url
    parsed = sqlalchemy.engine.make_url(url)
    if parsed.password is not None:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)
