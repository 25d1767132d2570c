"""kill -9 of each service in turn while meldingen stream in and every third is
assessed and decided on (so investigation opens cases): nothing accepted is lost or
doubled. The killed process runs no shutdown code; its restart must find its way
back from what its store and the stream hold."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shared.config import SERVICES
from tests.faults.checks import Window, settle
from tests.faults.harness import deployed, nats_single
from tests.faults.load import Load
from tests.faults.procedure import Procedure

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.mark.parametrize("victim", SERVICES)
def test_kill_9_of_a_service_mid_stream_loses_and_doubles_nothing(
    tmp_path: Path, victim: str
) -> None:
    with deployed(tmp_path, nats_single(tmp_path)) as deployment:
        load = Load(deployment["intake"].url, target=300).start()
        procedure = Procedure(deployment["triage"].url, deployment.settings, load).start()
        try:
            # A third of the stream is through; then the victim dies mid-flight.
            load.wait_accepted(100)
            window = Window.open(deployment, load)
            deployment[victim].kill()
            time.sleep(1.5)  # the rest goes on without it for a while
            deployment.restart(victim)
            window.close(load)
            load.finish()
            procedure.finish()
        finally:
            load.stop()
        tally = settle(deployment, load, window, fault=f"kill -9 {victim}",
                       procedure=procedure)
        assert tally.accepted >= 300


@pytest.mark.postgres
def test_kill_9_of_each_service_in_turn_on_postgresql_loses_and_doubles_nothing(
    tmp_path: Path, postgres_url: str,
) -> None:
    """The same on PostgreSQL (one schema per service), all four killed one after
    another in one stream."""
    with deployed(tmp_path, nats_single(tmp_path), database_url=postgres_url) as deployment:
        load = Load(deployment["intake"].url, target=400).start()
        procedure = Procedure(deployment["triage"].url, deployment.settings, load).start()
        try:
            load.wait_accepted(50)
            window = Window.open(deployment, load)
            for turn, victim in enumerate(SERVICES, start=1):
                deployment[victim].kill()
                time.sleep(1.0)
                deployment.restart(victim)
                load.wait_accepted(50 + turn * 60)
            window.close(load)
            load.finish()
            procedure.finish()
        finally:
            load.stop()
        tally = settle(deployment, load, window, fault="kill -9 each in turn, PostgreSQL",
                       procedure=procedure)
        assert tally.accepted >= 400
