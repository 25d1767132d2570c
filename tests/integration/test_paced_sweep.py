"""The background damage sweep after a start reads every stored event once: paced to
its share of a core, it waits after each page in proportion to the CPU the page
took, and unpaced (share 1) it does not wait."""

from __future__ import annotations

import time

from eventsourcing.persistence import Tracking

from services.triage.bootstrap import build_application
from shared.application import SWEEP_PAGE
from shared.config import Settings
from tests.support import fresh_melding


def test_the_sweep_waits_for_its_share_of_a_core(sqlite_settings: Settings) -> None:
    app = build_application(sqlite_settings)
    try:
        app.process_batch([fresh_melding() for _ in range(2 * SWEEP_PAGE + 1)],
                          Tracking(sqlite_settings.stream, 1))
        stored = len(app.recorder.select_notifications(None, 10 * SWEEP_PAGE))
        assert stored > SWEEP_PAGE * 2  # two full pages to pace, and part of one

        read: list[object] = []
        waits: list[float] = []
        started = time.thread_time()
        app.sweep(read.append, share=0.25, wait=waits.append)
        cpu = time.thread_time() - started
        assert len(read) == stored
        assert len(waits) == stored // SWEEP_PAGE
        assert all(wait > 0 for wait in waits)
        # Three times the CPU of the paced pages: a quarter of a core over the sweep.
        assert 0.5 * 3 * cpu < sum(waits) <= 3 * cpu

        unpaced: list[float] = []
        app.sweep(lambda _: None, share=1.0, wait=unpaced.append)
        assert unpaced == []
    finally:
        app.close()
