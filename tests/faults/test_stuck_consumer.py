"""A stuck consumer: triage is paused (SIGSTOP) while meldingen stream in. Intake and
reporting go on without it; when it resumes (SIGCONT) it catches up, and what NATS
delivers again (a pause longer than the consumer's ack wait makes it redeliver
everything unacknowledged) has a single effect thanks to the tracking records."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.faults.checks import Window, settle
from tests.faults.harness import consumer_info, deployed, nats_single, run, tracked_position
from tests.faults.load import Load

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ACK_WAIT = 60  # shared.messaging.inbox: a delivery unacknowledged this long comes again


@pytest.mark.parametrize("pause", [5, ACK_WAIT + 5], ids=["short", "beyond-ack-wait"])
def test_a_paused_triage_catches_up_and_redeliveries_have_one_effect(
    tmp_path: Path, pause: float
) -> None:
    with deployed(tmp_path, nats_single(tmp_path)) as deployment:
        triage = deployment["triage"]
        # A slower stream, so that it lasts through a long pause.
        load = Load(deployment["intake"].url, target=300, workers=1 if pause > 10 else 4)
        load.start()
        try:
            load.wait_accepted(50)
            window = Window.open(deployment, load)
            triage.signal(signal.SIGSTOP)
            reporting_before = tracked_position(deployment.settings, "reporting")
            time.sleep(pause)
            # The others went on: intake accepted, reporting applied.
            assert len(load.accepted) > window.accepted_before
            assert tracked_position(deployment.settings, "reporting") > reporting_before
            triage.signal(signal.SIGCONT)
            window.close(load)
            load.finish()
        finally:
            triage.signal(signal.SIGCONT)
            load.stop()
        tally = settle(deployment, load, window, fault=f"triage paused {pause}s")
        assert tally.accepted >= 300
        consumer = run(consumer_info(deployment.settings, deployment.settings.stream, "triage"))
        print(f"triage consumer after the pause: redelivered={consumer.num_redelivered} "
              f"ack_pending={consumer.num_ack_pending}")
