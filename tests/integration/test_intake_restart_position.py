"""Intake's start reads its views' tables and only the events after their stored
position: the meeting requests and the staff log cost a start nothing for the history
before it (issue 23), and a crash before the flush costs only the events after it."""

from __future__ import annotations

from typing import Any

from services.intake.views import meeting_rows
from shared.config import Settings
from tests.integration.test_oral_record import mailbox_token, waiting
from tests.support import MELDING, RunningService, ok, running, token


async def answers(intake: RunningService, settings: Settings) -> dict[str, Any]:
    mark = token(settings, "manager", "mark")
    return {"waiting": [i["melding_id"] for i in await waiting(
                intake, token(settings, "meldpunt", "mia"))],
            "registered": await ok(intake.client.get("/api/registrations", headers=mark))}


async def test_a_restart_reads_no_event_and_a_crash_only_those_after_the_position(
        settings: Settings) -> None:
    mark = token(settings, "manager", "mark")
    async with running("intake", settings) as intake:
        first = await ok(intake.client.post("/api/meldingen", headers=mark, json={
            **MELDING, "channel": "manager"}), 201)
        asked = await ok(intake.client.post("/api/meldingen", json={
            **MELDING, "meeting_requested": True}), 201)
        views = intake.app.state.parts.flusher.views
        before_last = views._stored_ids(0, 10**9)[-1]
        later = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        reporter = await mailbox_token(intake, later["receipt"])
        await ok(intake.client.post("/api/mailbox/meeting-request", headers=reporter))
        second = await ok(intake.client.post("/api/meldingen", headers=mark, json={
            **MELDING, "channel": "manager", "received_how": "oral"}), 201)
        before = await answers(intake, settings)
        assert before["waiting"] == [asked["id"], later["id"]]
        assert [r["melding_id"] for r in before["registered"]["items"]] == [
            second["id"], first["id"]]

    # A clean stop stored the position of every event: the start reads none of them.
    async with running("intake", settings) as intake:
        views = intake.app.state.parts.flusher.views
        assert views.read_at_start == 0
        assert await answers(intake, settings) == before
        engine = views.store.engine

    # As if it had crashed after the last commits, before the position was written and
    # with one of their rows not written: the start applies the events after the
    # position, and only those; the rows already written stay as they were.
    with engine.begin() as connection:
        connection.execute(views.store.positions.update().values(position=before_last))
        connection.execute(meeting_rows.delete().where(
            meeting_rows.c.melding_id == later["id"]))
    async with running("intake", settings) as intake:
        views = intake.app.state.parts.flusher.views
        assert 0 < views.read_at_start < len(views._stored_ids(0, 10**9))
        assert await answers(intake, settings) == before
    # Nothing new since: the position that start swept to was stored as it stopped.
    async with running("intake", settings) as intake:
        assert intake.app.state.parts.flusher.views.read_at_start == 0
        assert await answers(intake, settings) == before
