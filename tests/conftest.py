"""Fixtures that start real parts: a nats-server per test, SQLite or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config import Settings
from tests.support import (
    NatsServer,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
    postgres_reachable,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None means the embedded default (SQLite files under var/)."""
    if request.param == "sqlite":
        yield None
        return
    if not postgres_reachable():
        if IN_CI:
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required under CI=true")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, database_url: str | None) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    """For tests that are about one store only (the embedded default)."""
    return make_settings(tmp_path / "var", nats_server.url)
