"""SIGTERM while requests are in flight: each of them completes with its 201, the
process exits by itself, and the outbox relay stops after its current batch with its
position recorded, so that a restart publishes each melding exactly once."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.faults.checks import FILED, RECEIVED_SUBJECT, Window, settle
from tests.faults.harness import (
    Deployment,
    deployed,
    nats_single,
    notifications,
    run,
    stream_counts,
    tracked_position,
)
from tests.faults.load import Load, melding
from tests.faults.procedure import Procedure

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
IN_FLIGHT = 24


@contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """Hold SQLite's write lock, so that intake's requests wait inside the handler
    (its busy timeout is 30 s): in flight for as long as the test wants."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def _post(url: str, number: int) -> tuple[int | str, str | None]:
    """(status or error, id of the filed melding)."""
    try:
        response = httpx.post(f"{url}/api/meldingen", json=melding(number), timeout=30)
    except httpx.HTTPError as exc:
        return type(exc).__name__, None
    return response.status_code, response.json().get("id")


def _published_up_to_position(deployment: Deployment) -> tuple[int, int]:
    """(meldingen on the stream, meldingen the relay recorded as published)."""
    settings = deployment.settings
    position = tracked_position(settings, "intake", "intake.outbox")
    recorded = sum(1 for n, topic, _ in notifications(settings, "intake")
                   if topic.endswith(FILED) and n <= position)
    on_stream, _ = run(stream_counts(deployment.settings, settings.stream, RECEIVED_SUBJECT))
    return on_stream, recorded


def test_sigterm_lets_in_flight_requests_complete_and_the_relay_finish_its_batch(
    tmp_path: Path,
) -> None:
    with deployed(tmp_path, nats_single(tmp_path)) as deployment:
        intake = deployment["intake"]
        load = Load(intake.url, target=100).start()
        load.finish()
        window = Window.open(deployment, load)
        with ThreadPoolExecutor(IN_FLIGHT) as pool, write_lock(
                deployment.settings.var_dir / "intake.sqlite"):
            answers = [pool.submit(_post, intake.url, 1000 + i) for i in range(IN_FLIGHT)]
            time.sleep(2.0)  # sent; each waits for the store inside the handler
            intake.signal(signal.SIGTERM)
            time.sleep(1.0)  # shutting down, requests still in flight
            assert intake.alive
        # The lock is gone: the requests finish, then the service stops.
        results = [answer.result() for answer in answers]
        code = intake.wait(timeout=30)
        # Each request that reached intake got its 201; one that had not connected
        # before the listener closed was refused (nothing sent, nothing lost).
        statuses = [status for status, _ in results]
        in_flight = statuses.count(201)
        assert set(statuses) <= {201, "ConnectError"} and in_flight > 0, statuses
        assert code in (0, -signal.SIGTERM), code

        # What the relay published, it recorded: no half-done batch to publish again.
        on_stream, recorded = _published_up_to_position(deployment)
        assert on_stream == recorded, (on_stream, recorded)

        # After a restart every melding, the in-flight ones included, is in triage once.
        deployment.restart("intake")
        load.accepted += [str(melding_id) for status, melding_id in results if status == 201]
        window.close(load)
        tally = settle(deployment, load, window, fault="SIGTERM intake")
        assert tally.filed == tally.accepted
        print(f"FAULT SIGTERM: {in_flight} requests in flight, all answered 201; "
              f"relay had published and recorded {recorded} of {tally.filed}")


def test_sigterm_to_the_consumers_mid_stream_stops_them_cleanly_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """The inbox stops after the message in hand: a stopped consumer exits by itself,
    and its restart takes up right after what it applied."""
    with deployed(tmp_path, nats_single(tmp_path)) as deployment:
        load = Load(deployment["intake"].url, target=300).start()
        procedure = Procedure(deployment["triage"].url, deployment.settings, load).start()
        try:
            load.wait_accepted(50)
            window = Window.open(deployment, load)
            for turn, name in enumerate(("triage", "investigation", "reporting"), start=1):
                code = deployment[name].terminate(timeout=30)
                assert code in (0, -signal.SIGTERM), (name, code)
                deployment.restart(name)
                load.wait_accepted(50 + turn * 60)
            window.close(load)
            load.finish()
            procedure.finish()
        finally:
            load.stop()
        settle(deployment, load, window, fault="SIGTERM each consumer in turn",
               procedure=procedure)
