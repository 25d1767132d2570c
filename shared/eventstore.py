"""Event store configuration: eventsourcing-sqlalchemy on SQLite (one WAL file per
service, the embedded default) or PostgreSQL (one schema per service)."""

from __future__ import annotations

import zlib
from typing import Any

import sqlalchemy
from eventsourcing.persistence import Compressor
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

from shared.config import Settings
from shared.recorders import ApplicationRecorder, ProcessRecorder

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


class QuickZlib(Compressor):
    """zlib with a 4 KiB window and little memory (a stream any zlib reads), in place
    of the default's 256 KiB of state allocated for each event: on a busy machine that
    cost 68-77 against 15 µs of CPU for a taken-in melding's 932 bytes (10-13 µs
    either way on a quiet one), 670 bytes out at each, as most of a stored event is
    its keyed fields' ciphertext. What was stored before reads as it did."""

    def compress(self, data: bytes) -> bytes:
        compressor = zlib.compressobj(1, zlib.DEFLATED, 12, 5)
        return compressor.compress(data) + compressor.flush()

    def decompress(self, data: bytes) -> bytes:
        return zlib.decompress(data)


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
        "COMPRESSOR_TOPIC": f"{__name__}:QuickZlib",
        "SQLITE_SYNCHRONOUS": settings.sqlite_synchronous,
    }
    schema = schema_of(settings, service)
    if schema is not None:
        env["SQLALCHEMY_SCHEMA"] = schema
        ensure_schema(url, schema)
    elif not url.startswith("postgresql"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    return env


def schema_of(settings: Settings, service: str) -> str | None:
    """A service's PostgreSQL schema on a shared server (its event store and its other
    tables); None when it has a database of its own, or SQLite."""
    url = settings.database_url_of(service)
    if url.startswith("postgresql") and not getattr(settings, f"{service}_database_url"):
        return service
    return None


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
