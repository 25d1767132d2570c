"""Fixtures that start real parts: a nats-server per test, SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config import Settings
from tests.mailserver import SmtpServer
from tests.support import (
    NatsServer,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
    postgres_reachable,
    unavailable,
)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (skipped without one, failed under CI)."""
    if not postgres_reachable():
        unavailable("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None means the embedded default (SQLite files under var/)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, database_url: str | None) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    """For tests that are about one store only (the embedded default)."""
    return make_settings(tmp_path / "var", nats_server.url)
