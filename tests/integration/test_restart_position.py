"""A restart reads the events after the stored views' position and none before it:
the queue is read from its table, so the history before the position costs a start
nothing (issue 23)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date, timedelta
from uuid import UUID

from services.triage.adapters.closed_table import rows as closed_rows
from services.triage.protection.views import rows as follow_up_rows
from shared.config import Settings
from shared.retention import RetentionTerms
from tests.integration.test_shredding import MELDPUNT, closed_without_case, file
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


async def test_the_check_ins_due_are_read_from_their_table_not_the_history(
        settings: Settings) -> None:
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running("intake", settings))
        async with running("triage", settings) as triage:
            s = {"intake": intake, "triage": triage}
            melding, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            await ok(triage.client.post(f"/api/meldingen/{melding}/protected-persons",
                                        headers=MELDPUNT[0],
                                        json={"name": "De melder", "role": "reporter"}), 201)
            before_closing = triage.app.state.parts.flusher.views._stored_ids(0, 10**9)[-1]
            await closed_without_case(s, settings, melding)
            due = await ok(triage.client.get("/api/protection-check-ins",
                                             headers=MELDPUNT[0]))
            assert [item["melding_id"] for item in due["items"]] == [melding]

        # A clean stop stored the position of every event: the start reads none of them,
        # and the check-in is still due, from the table alone.
        async with running("triage", settings) as triage:
            views = triage.app.state.parts.flusher.views
            assert views.read_at_start == 0
            assert await ok(triage.client.get("/api/protection-check-ins",
                                              headers=MELDPUNT[0])) == due
            engine = views.store.engine

        # As if it had crashed after the closing's commit, before its row and the
        # position were written (the row as the protection left it): the start
        # applies the events after the position.
        with engine.begin() as connection:
            connection.execute(views.store.positions.update().values(
                position=before_closing))
            connection.execute(follow_up_rows.update().values(
                closed_at=None, closed_us=None, waiting=False))
        async with running("triage", settings) as triage:
            views = triage.app.state.parts.flusher.views
            assert 0 < views.read_at_start < len(views._stored_ids(0, 10**9))
            assert await ok(triage.client.get("/api/protection-check-ins",
                                              headers=MELDPUNT[0])) == due


async def test_retention_asks_its_table_for_the_closed_meldingen_after_a_restart(
        settings: Settings) -> None:
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    terms = RetentionTerms.from_settings(settings)
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running("intake", settings))
        async with running("triage", settings) as triage:
            s = {"intake": intake, "triage": triage}
            melding, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            still_open, _ = await file(s, "Een tweede melding over een cadeaubon.")
            before_closing = triage.app.state.parts.flusher.views._stored_ids(0, 10**9)[-1]
            await closed_without_case(s, settings, melding)
            closed = triage.app.state.parts.retention.closed
            today = date.today()
            assert closed.due(today, terms) == []  # its term has not passed
            years_on = today + timedelta(days=max(terms.days.values()) + 1)
            assert closed.due(years_on, terms) == [UUID(melding)]

        async with running("triage", settings) as triage:
            views = triage.app.state.parts.flusher.views
            assert views.read_at_start == 0
            assert triage.app.state.parts.retention.closed.due(years_on, terms) == [
                UUID(melding)]
            engine = views.store.engine

        # As if it had crashed after the closing's commit, before its row was written.
        with engine.begin() as connection:
            connection.execute(views.store.positions.update().values(
                position=before_closing))
            connection.execute(closed_rows.delete())
        async with running("triage", settings) as triage:
            assert triage.app.state.parts.flusher.views.read_at_start > 0
            assert triage.app.state.parts.retention.closed.due(years_on, terms) == [
                UUID(melding)]
            assert UUID(still_open) not in triage.app.state.parts.retention.closed.due(
                years_on, terms)
