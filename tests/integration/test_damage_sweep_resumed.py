"""The background damage sweep resumes: the damaged events it found and the position it
checked up to are kept in the service's store, so a restart names what was found
before it and reads only the events after that position (at most one page again after
a crash), and once the whole store is checked a start reads only new events, until the
whole store is due again. On SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from eventsourcing.persistence import Tracking

from services.triage.application import TriageApplication
from services.triage.bootstrap import build_application
from shared.application import SWEEP_PAGE
from shared.config import Settings
from shared.damagestore import DamageStore
from tests.faults.harness import damage_stored_event
from tests.support import fresh_melding


class Crash(Exception):
    """The process killed in the middle of a page."""


def counting(crash_at: int | None = None) -> tuple[list[int], Callable[[], bool]]:
    """`stopping` for a sweep, asked once before each event it reads: counts them."""
    read = [0]

    def stopping() -> bool:
        if read[0] == crash_at:
            raise Crash
        read[0] += 1
        return False
    return read, stopping


def sweep(settings: Settings, crash_at: int | None = None, again_after: float | None = None
          ) -> tuple[int, list[dict[str, object]]]:
    """A start's sweep: how many events it read, and what the register then lists."""
    app: TriageApplication = build_application(settings)
    app.keep_damage_register()  # as the service does
    try:
        read, stopping = counting(crash_at)
        with contextlib.suppress(Crash):
            app.sweep(stopping=stopping, again_after=again_after)
        return read[0], app.damage.listed()
    finally:
        app.close()


def test_a_restart_resumes_the_damage_sweep(settings: Settings) -> None:
    app = build_application(settings)
    app.keep_damage_register()
    try:
        app.process_batch([fresh_melding() for _ in range(2 * SWEEP_PAGE + 1)],
                          Tracking(settings.stream, 1))
        notifications = app.recorder.select_notifications(None, 10 * SWEEP_PAGE)
        store = app.damage.ledger
        assert isinstance(store, DamageStore)
    finally:
        app.close()
    stored = len(notifications)
    assert stored > 2 * SWEEP_PAGE
    # One event in the first page is damaged (a flipped bit on the disk).
    victim = next(n for n in notifications[10:] if n.topic.endswith("Report.Received"))
    damage_stored_event(settings, "triage", victim.id)
    named = {"store": "triage", "originator_id": str(victim.originator_id),
             "version": victim.originator_version}

    # The first start's sweep finds it, and the process dies half-way through page two.
    read, listed = sweep(settings, crash_at=SWEEP_PAGE + SWEEP_PAGE // 2)
    assert read == SWEEP_PAGE + SWEEP_PAGE // 2
    assert listed == [named]
    assert store.state().position == notifications[SWEEP_PAGE - 1].id  # after page one
    assert store.state().completed_at is None

    # The restart names it again (it is still damaged) and reads only after page one:
    # the half page read before the crash is all that is read twice.
    read, listed = sweep(settings)
    assert read == stored - SWEEP_PAGE
    assert listed == [named]
    assert store.state().position == notifications[-1].id
    assert store.state().completed_at is not None

    # The whole store is checked: a start reads only what came since.
    assert sweep(settings) == (0, [named])
    # Until the whole store is due again.
    assert sweep(settings, again_after=0) == (stored, [named])

    # Restored from a backup: the next start finds it readable and forgets it.
    damage_stored_event(settings, "triage", victim.id)
    assert sweep(settings) == (0, [])
    assert store.found() == []


def test_a_clean_stop_reads_nothing_twice(settings: Settings) -> None:
    app = build_application(settings)
    app.keep_damage_register()
    try:
        app.process_batch([fresh_melding() for _ in range(SWEEP_PAGE)],
                          Tracking(settings.stream, 1))
        stored = len(app.recorder.select_notifications(None, 10 * SWEEP_PAGE))
        stops = iter([False] * 10 + [True])
        app.sweep(stopping=lambda: next(stops))
        assert not app.swept
    finally:
        app.close()
    read, _ = sweep(settings)
    assert read == stored - 10
