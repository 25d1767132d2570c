"""On a shared PostgreSQL server every service keeps all its tables in its own schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from shared.config import SERVICES
from tests.support import make_settings


def test_every_table_of_a_service_is_in_its_schema(
    tmp_path: Path, database_url: str | None
) -> None:
    if database_url is None:
        pytest.skip("a PostgreSQL layout: SQLite keeps one file per service")
    settings = make_settings(tmp_path / "var", "nats://127.0.0.1:1", database_url)
    for service in SERVICES:
        bootstrap = __import__(f"services.{service}.bootstrap", fromlist=["build_application"])
        bootstrap.build_application(settings).close()
    engine = sqlalchemy.create_engine(database_url)
    with engine.connect() as connection:
        tables = connection.execute(sqlalchemy.text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")).fetchall()
    engine.dispose()
    assert tables, "no tables were created"
    for schema, table in tables:
        assert table.split("_", 1)[0] == schema, f"{schema}.{table}"
    assert {schema for schema, _ in tables} == set(SERVICES)
