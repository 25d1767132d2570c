"""A restart reads the events after the stored views' position and none before it:
the queue is read from its table, so the history before the position costs a start
nothing (issue 23)."""

from __future__ import annotations

from contextlib import AsyncExitStack

from shared.config import Settings
from tests.integration.test_shredding import MELDPUNT, file
from tests.support import ok, running, token


async def test_a_restart_reads_only_the_events_after_the_stored_position(
        settings: Settings) -> None:
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running("intake", settings))
        async with running("triage", settings) as triage:
            s = {"intake": intake, "triage": triage}
            first, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            second, _ = await file(s, "Een tweede melding over een cadeaubon.")
            views = triage.app.state.parts.flusher.views
        # Stopped: the last flush stored the position of every event. Move it back
        # behind the last two events, as if the service had stopped before its flush.
        stored = views._stored_ids(0, 10**9)
        back = stored[-3]
        with views.store.engine.begin() as connection:
            connection.execute(views.store.positions.update().values(position=back))

        async with running("triage", settings) as triage:
            views = triage.app.state.parts.flusher.views
            assert views.read_at_start == 2  # the two after it, none of those before
            assert views.position == stored[-1]
            listed = await ok(triage.client.get("/api/meldingen", headers=MELDPUNT[0]))
            assert [item["id"] for item in listed["items"]] == [first, second]
