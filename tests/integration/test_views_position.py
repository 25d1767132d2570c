"""The stored views' position past another process's event (shared/viewstore.py): the
CLI's staff commands write to the console's store from their own process, so no
callback of the running console ever brings their ids. The console's flush reads such
an event and moves on; waited for, it held the position there for good, so that every
flush read every id stored since and every start read every event since."""

from __future__ import annotations

from datetime import UTC, datetime

from services.console.application import NewStaffMember
from services.console.bootstrap import build_application, build_parts
from shared.clock import MovableClock
from shared.config import Settings
from shared.recorders import CoreEvents


def member(sub: str) -> NewStaffMember:
    return NewStaffMember(sub=sub, name=sub.title(), email=f"{sub}@example.org",
                          roles=["meldpunt"])


def test_an_event_another_process_stored_does_not_hold_the_position(
        sqlite_settings: Settings) -> None:
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    console = build_parts(sqlite_settings, clock)
    views = console.flusher.views
    cli = build_application(sqlite_settings, clock)  # `meldingen staff add`'s own
    cli.add_staff(member("ruud"), enrolment_digest="a" * 64, by="beheer")
    console.application.add_staff(member("anna"), enrolment_digest="b" * 64, by="beheer")
    views.flush()
    recorder = console.application.recorder
    assert isinstance(recorder, CoreEvents)
    assert views.position == recorder.max_notification_id() == 2
    assert build_parts(sqlite_settings, clock).flusher.views.read_at_start == 0
