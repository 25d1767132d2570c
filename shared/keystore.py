"""A service's key table: its wrapped copy of each melding's data key, kept in its
own database beside the event store but outside the event log, so that overwriting
one row shreds the melding for this service (docs/privacy.md).

A shredded melding keeps its row as a tombstone (no key, the date and the term), so
that a read afterwards says when it was shredded and a redelivered event that brings
the key again cannot make it readable again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.exc import IntegrityError

from shared.config import Settings
from shared.errors import Shredded
from shared.eventstore import SQLITE_BUSY_TIMEOUT_MS, ensure_schema, schema_of, with_password


class MissingKey(LookupError):
    """This service holds no key for the melding (it never received one)."""

    def __init__(self, melding_id: str) -> None:
        super().__init__(f"no key for melding {melding_id}")
        self.melding_id = melding_id


@dataclass(frozen=True)
class Shredding:
    """A tombstone: when the key was destroyed, and under which term."""

    melding_id: str
    shredded_at: datetime
    term: str | None


class KeyStore:
    def __init__(self, engine: sqlalchemy.Engine, service: str,
                 schema: str | None = None) -> None:
        self.engine = engine
        if engine.dialect.name == "sqlite":
            # Overwrite freed pages, so a shredded key's bytes do not linger in the file.
            sqlalchemy.event.listen(engine, "connect", _sqlite_pragmas)
        self.table = Table(
            f"{service}_melding_keys", MetaData(schema=schema),
            Column("melding_id", String(64), primary_key=True),
            Column("wrapped", LargeBinary, nullable=True),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("shredded_at", DateTime(timezone=True), nullable=True),
            Column("term", String(64), nullable=True),
        )
        self.table.create(engine, checkfirst=True)

    @classmethod
    def for_service(cls, settings: Settings, service: str) -> KeyStore:
        """The key table in `service`'s own database (its schema on a shared server)."""
        url = with_password(settings.database_url_of(service),
                            settings.database_password_value)
        if url.startswith("sqlite"):
            settings.var_dir.mkdir(parents=True, exist_ok=True)
            engine = sqlalchemy.create_engine(url, connect_args={
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        else:
            engine = sqlalchemy.create_engine(url, pool_pre_ping=True)
        schema = schema_of(settings, service)
        if schema is not None:
            ensure_schema(url, schema)
        return cls(engine, service, schema)

    def add(self, melding_id: str, wrapped: bytes, at: datetime, *,
            flushed_by_next: bool = False) -> bytes:
        """Keep a wrapped key; if one is kept already (a redelivery, a race), that
        one stays and is returned. A shredded melding raises `Shredded`.
        `flushed_by_next`: a commit in the same database follows (the inbox's tracked
        transaction), so this one need not wait for the disk, as in `add_many`: if
        that commit never comes, the event is delivered again and brings the key."""
        try:
            with self.engine.connect() as connection:
                if flushed_by_next:
                    self.lazy(connection)
                connection.execute(self.table.insert().values(
                    melding_id=melding_id, wrapped=wrapped, created_at=_utc(at)))
                connection.commit()
                if flushed_by_next:
                    self.eager(connection)
        except IntegrityError:
            return self.get(melding_id)
        return wrapped

    def lazy(self, connection: sqlalchemy.Connection) -> None:
        """This transaction need not wait for the disk: a commit that does follows."""
        connection.exec_driver_sql("PRAGMA synchronous=NORMAL" if self._sqlite
                                   else "SET LOCAL synchronous_commit TO OFF")

    def eager(self, connection: sqlalchemy.Connection) -> None:
        if self._sqlite:
            connection.exec_driver_sql("PRAGMA synchronous=FULL")
            connection.commit()

    @property
    def _sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def insert_ignoring(self, table: Table) -> Any:
        """An INSERT into `table` (in this store's database) that skips a row whose key
        is taken, built once per table. On SQLite as `INSERT OR IGNORE`: SQLAlchemy
        caches no statement with its dialects' `on_conflict_do_nothing`, so that one
        was compiled again at every execution, about 150 us of CPU in every batch of
        filings, twice (the keys', the receipts'). Every column given is set, so the
        other constraint violations that OR IGNORE also skips cannot occur."""
        statements = self.__dict__.setdefault("_inserts", {})
        if table.name not in statements:
            statements[table.name] = (
                sqlalchemy.insert(table).prefix_with("OR IGNORE") if self._sqlite
                else postgresql_insert(table).on_conflict_do_nothing())
        return statements[table.name]

    def add_many(self, wrapped: Mapping[str, bytes], at: datetime) -> dict[str, bytes]:
        """`add` for several meldingen in one transaction: the kept wrapped key of each
        (a shredded one raises `Shredded`). For a batch of filings, so the commit does
        not wait for the disk: the event store's commit of the same meldingen, in the
        same database's log right after, makes both durable with one flush. If that
        commit never comes, a key lost in a crash belongs to a melding never stored."""
        if not wrapped:
            return {}
        table = self.table
        with self.engine.connect() as connection:
            self.lazy(connection)
            added = set(connection.execute(
                self.insert_ignoring(table).returning(table.c.melding_id), [
                    {"melding_id": melding_id, "wrapped": key, "created_at": _utc(at)}
                    for melding_id, key in wrapped.items()]).scalars())
            kept = [melding_id for melding_id in wrapped if melding_id not in added]
            rows = connection.execute(table.select().where(
                table.c.melding_id.in_(kept))).all() if kept else []
            connection.commit()
            self.eager(connection)
        found = {row.melding_id: self._key_of(row.melding_id, row) for row in rows}
        return {melding_id: found.get(melding_id, key) for melding_id, key in wrapped.items()}

    def get(self, melding_id: str) -> bytes:
        with self.engine.connect() as connection:
            row = self._row(connection, melding_id)
        if row is None:
            raise MissingKey(melding_id)
        return self._key_of(melding_id, row)

    def shredding(self, melding_id: str) -> Shredding | None:
        with self.engine.connect() as connection:
            row = self._row(connection, melding_id)
        if row is None or row.shredded_at is None:
            return None
        return Shredding(melding_id, _utc(row.shredded_at), row.term)

    def destroy(self, melding_id: str, at: datetime, term: str | None) -> Shredding:
        """Overwrite the key with nothing, keeping the date and the term. Destroying
        twice keeps the first date; a melding never seen gets a tombstone, so its key
        arriving later is refused."""
        at = _utc(at)
        table = self.table
        while True:  # rows are never deleted: a failed insert means the next pass finds one
            with self.engine.begin() as connection:
                done = connection.execute(table.update().where(
                    table.c.melding_id == melding_id, table.c.shredded_at.is_(None)).values(
                    wrapped=None, shredded_at=at, term=term)).rowcount
                if done:
                    break
                row = self._row(connection, melding_id)
            if row is not None:
                return Shredding(melding_id, _utc(row.shredded_at), row.term)
            try:
                with self.engine.begin() as connection:
                    connection.execute(table.insert().values(
                        melding_id=melding_id, wrapped=None, created_at=at,
                        shredded_at=at, term=term))
            except IntegrityError:
                continue
            break
        self.flush_journal()
        return Shredding(melding_id, at, term)

    def flush_journal(self) -> None:
        """SQLite in WAL mode (the event store's file) still holds the key's old page
        in its write-ahead log: copy the log into the file, where `secure_delete` has
        zeroed it, and empty it. Best effort: a long reader can keep frames a while."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()

    def _row(self, connection: sqlalchemy.Connection, melding_id: str) -> Any:
        return connection.execute(
            self.table.select().where(self.table.c.melding_id == melding_id)).one_or_none()

    def _key_of(self, melding_id: str, row: Any) -> bytes:
        if row.shredded_at is not None or row.wrapped is None:
            raise Shredded(melding_id, _utc(row.shredded_at), row.term)
        return bytes(row.wrapped)


def _utc(moment: datetime) -> datetime:
    """Moments are written in UTC, and SQLite gives them back without a zone."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")  # as the event store's, in the same file
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
