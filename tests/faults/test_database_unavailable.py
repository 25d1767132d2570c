"""The event store goes away under a stream of meldingen: the SQLite files become
immutable (read-only even for root), or the PostgreSQL database refuses and drops
every connection. Intake answers 503 problem+json, files nothing it could not
store, and takes meldingen again by itself once the store is back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy

from tests.faults.checks import FILED, Window, settle
from tests.faults.harness import Deployment, creations, deployed, nats_single
from tests.faults.load import Load, melding
from tests.support import POSTGRES_URL

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@contextmanager
def sqlite_read_only(deployment: Deployment) -> Iterator[None]:
    """chattr +i on intake's database, its WAL and their directory: no write gets
    through, whoever asks (the tests run as root, which file modes do not stop).

    Not on the `-shm` index: SQLite maps it into memory, and the first write to a
    page of an immutable mapped file is a SIGBUS, which no disk does to a process."""
    var = deployment.settings.var_dir
    paths = [str(var / name) for name in ("intake.sqlite", "intake.sqlite-wal", ".")]
    try:
        subprocess.run(["chattr", "+i", *paths], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("chattr +i is not available here (needs root on ext4 or the like)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *paths], check=True)


@contextmanager
def postgres_unreachable(url: str) -> Iterator[None]:
    """The database refuses new connections and drops the ones it has."""
    name = url.rsplit("/", 1)[1]
    admin = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(
                f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            connection.execute(sqlalchemy.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(
                f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()


def _refused_while_down(deployment: Deployment) -> None:
    """A melding sent while the store is away: 503 problem+json, no receipt."""
    response = httpx.post(f"{deployment['intake'].url}/api/meldingen", json=melding(0),
                          timeout=30)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 503
    assert "receipt" not in response.text


def _outage(deployment: Deployment, outage: object, fault: str) -> None:
    load = Load(deployment["intake"].url, target=300).start()
    try:
        load.wait_accepted(100)
        window = Window.open(deployment, load)
        with outage:  # type: ignore[attr-defined]
            _refused_while_down(deployment)
            time.sleep(2)
            refused_during = load.statuses[503]
        window.close(load)
        # Intake recovers by itself: no restart, the stream goes on.
        load.finish()
    finally:
        load.stop()
    assert refused_during > 0 or load.statuses[503] > 0, str(load)
    assert 500 not in load.statuses, str(load)
    tally = settle(deployment, load, window, fault=fault)
    assert tally.accepted >= 300
    # Nothing was filed that was not answered 201: every 503 stored nothing.
    assert set(creations(deployment.settings, "intake", FILED)) == set(load.accepted)
    print(f"FAULT 503s during the outage: {load.statuses[503]} ({load})")


def test_sqlite_made_read_only_gives_503_and_recovers_by_itself(tmp_path: Path) -> None:
    with deployed(tmp_path, nats_single(tmp_path)) as deployment:
        _outage(deployment, sqlite_read_only(deployment), "sqlite read-only")


@pytest.mark.postgres
def test_postgres_unreachable_gives_503_and_recovers_by_itself(
    tmp_path: Path, postgres_url: str
) -> None:
    with deployed(tmp_path, nats_single(tmp_path), database_url=postgres_url) as deployment:
        _outage(deployment, postgres_unreachable(postgres_url), "postgres unreachable")
