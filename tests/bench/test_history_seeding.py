"""The start bench's history, seeded in parallel workers and published unacknowledged,
is still the history a running system would have left: the stream holds every event
once, signed and chained, every store's chain fits it (`audit verify`), each store's
inbox is at the stream's end, and a service started on it sends nothing new."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from bench import copies, history
from bench.__main__ import main
from bench.procs import Stack
from services.reporting.adapters.signing import CheckpointVerifier
from services.reporting.adapters.verification import verify
from shared.config import Settings
from shared.messaging.nats import connect
from shared.messaging.permissions import AUDITOR

MELDINGEN = 60


async def _verified(settings: Settings) -> dict[str, Any]:
    nc = await connect(settings, name="seeding-test", user=AUDITOR)
    try:
        return await verify(settings, nc.jetstream(), CheckpointVerifier.of(settings))
    finally:
        await nc.close()


@pytest.mark.timeout(300)
def test_seeded_history_is_whole_verified_and_leaves_nothing_to_send(tmp_path: Path) -> None:
    stack = Stack(tmp_path, None, ready_within=120.0)
    try:
        stack.start_nats()
        seeding = history.seed_all(stack.settings, MELDINGEN)

        # Every event of the history is on the stream once, and every store took them in.
        events = sum(1 for _ in history.history(MELDINGEN))
        assert seeding["stream_events"] == events == history.stream_messages(stack.settings)
        assert seeding["reporting"]["events"] == events
        assert all(seeding[f"{job}_cpu_s"] >= 0 for job in history.JOBS)

        # The stream's chains and signatures, and every store's chain, check out.
        report = asyncio.run(_verified(stack.settings))
        assert report["ok"], report

        # Each consumer's inbox stands at the stream's last message.
        for service in history.CONSUMERS:
            with sqlite3.connect(stack.settings.var_dir / f"{service}.sqlite") as db:
                [(at,)] = db.execute(f"SELECT notification_id FROM {service}_tracking "
                                     "WHERE application_name = ?", (stack.settings.stream,))
            assert at == events, service

        # A service started on it has nothing new to take in or send.
        stack.start_service("triage")
        stack.stop("triage")
        assert history.stream_messages(stack.settings) == events
    finally:
        stack.stop()


@pytest.mark.timeout(300)
def test_start_seeds_and_starts_only_the_chosen_services(tmp_path: Path) -> None:
    out = tmp_path / "start.json"
    assert main(["start", "--quick", "--db", "sqlite", "--start-meldingen", "30",
                 "--start-services", "reporting", "--out", str(out)]) == 0
    [run] = json.loads(out.read_text())["databases"]["sqlite"]["start"].values()

    # Only reporting's store was seeded beside the stream, and only it was started.
    events = sum(1 for _ in history.history(30))
    assert run["seeding"]["stream_events"] == events == run["stream_after_starts"]
    assert run["seeding"]["reporting"]["events"] == events
    assert run["services"] == ["reporting"] and run["reporting"]["ready_s"] > 0
    skipped = ("intake", "intake_inbox", "triage", "investigation", "console")
    assert not any(name in run or name in run["seeding"] for name in skipped)
    table = out.with_suffix(".md").read_text()
    assert re.search(r"\|\s+reporting\s+\|", table) and "console" not in table

    with pytest.raises(ValueError, match="no such service"):
        history.seed_all(Settings(), 1, services=("nosuch",))


@pytest.mark.timeout(300)
def test_stores_seeded_without_the_stream_start_at_its_end_and_send_nothing(
        tmp_path: Path) -> None:
    stack = Stack(tmp_path, None, ready_within=120.0)
    try:
        stack.start_nats()
        seeding = history.seed_all(stack.settings, MELDINGEN, services=("intake", "triage"),
                                   stream=False)

        # The stores as with the stream (intake's meldingen and inbox, triage's inbox),
        # the stream left empty.
        events = sum(1 for _ in history.history(MELDINGEN))
        assert seeding["intake"]["meldingen"] == MELDINGEN
        assert seeding["intake_inbox"]["events"] > 0 and seeding["triage"]["events"] > 0
        assert "stream_events" not in seeding and history.stream_messages(stack.settings) == 0
        for service in ("intake", "triage"):
            with sqlite3.connect(stack.settings.var_dir / f"{service}.sqlite") as db:
                [(at,)] = db.execute(f"SELECT notification_id FROM {service}_tracking "
                                     "WHERE application_name = ?", (stack.settings.stream,))
            assert at == events, service

        # Each starts on it and finds nothing to send: its outbox was chained to its end.
        for service in ("intake", "triage"):
            stack.start_service(service)
            stack.stop(service)
        assert history.stream_messages(stack.settings) == 0
    finally:
        stack.stop()


@pytest.mark.timeout(300)
def test_start_under_its_own_lock_without_the_stream(tmp_path: Path) -> None:
    out, lock = tmp_path / "start.json", tmp_path / "bench.lock"
    assert main(["start", "--quick", "--db", "sqlite", "--start-meldingen", "30",
                 "--start-services", "triage", "--start-without-stream",
                 "--start-lock", str(lock), "--out", str(out)]) == 0
    [run] = json.loads(out.read_text())["databases"]["sqlite"]["start"].values()
    assert run["triage"]["ready_s"] > 0 and run["stream_after_starts"] == 0
    assert lock.exists() and "the stores only" in out.with_suffix(".md").read_text()


def _store(settings: Settings) -> dict[str, Any]:
    """What the console's store holds, read back: each stored event's content (not its
    recording time), each view table's rows, the inbox's and the views' positions."""
    parts, _ = history._parts(settings, "console")
    app = parts.application
    try:
        last = app.recorder.max_notification_id()
        events = set()
        for notification in app.recorder.select_notifications(start=1, limit=last):
            event = vars(app.mapper.to_domain_event(notification)).copy()
            del event["timestamp"]
            events.add((notification.topic, repr(sorted(event.items()))))
        engine = app.recorder.datastore.engine
        with engine.connect() as connection:
            views = {table.name: sorted(map(tuple, connection.execute(table.select())))
                     for table in copies._view_tables(engine, None, "console_events")}
            tracking = sorted(map(tuple, connection.execute(sqlalchemy.text(
                "SELECT * FROM console_tracking WHERE application_name != 'console.outbox'"))))
            [(views_at,)] = connection.execute(sqlalchemy.text(
                "SELECT DISTINCT position FROM console_view_positions"))
        chained = app.recorder.max_tracking_id("console.outbox")
        return {"events": events, "count": last, "views": views, "tracking": tracking,
                "views_at_end": views_at == last, "chained_to_end": chained == last}
    finally:
        app.close()


@pytest.mark.timeout(300)
def test_copied_console_store_is_what_its_policies_write(tmp_path: Path) -> None:
    meldingen = 2 * copies.PERIOD + 7
    reference = Stack(tmp_path / "reference", None)
    history.seed_consumer(reference.settings, "console", meldingen, period=copies.PERIOD)
    stack = Stack(tmp_path / "copied", None, ready_within=120.0)
    try:
        stack.start_nats()
        seeding = copies.seed_console(stack.settings, meldingen)
        assert seeding["copied_events"] > 0

        # The same events, rows and positions as taken in through the policies.
        copied, expected = _store(stack.settings), _store(reference.settings)
        assert copied["views"]["console_terms"]
        assert copied == expected
        assert copied["views_at_end"] and copied["chained_to_end"]

        # The console starts on it and has nothing to send.
        stack.start_service("console")
        stack.stop("console")
        assert history.stream_messages(stack.settings) == 0
    finally:
        stack.stop()
