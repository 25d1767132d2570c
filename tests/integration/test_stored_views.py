"""Triage's stored views (shared/viewstore.py): a restart reads only the events after
their position (none before it, and no queue row: the queue is read from its table),
a shredded melding stays in the lists with its day and without content, and its
words leave the search's table."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from datetime import UTC, datetime

from sqlalchemy import delete, select

from services.triage.adapters.closed_table import rows as closed_rows
from services.triage.adapters.queue_table import (
    excluded_rows,
    melding_rows,
    word_digest,
    word_rows,
)
from services.triage.protection.views import rows as follow_up_rows
from shared.config import Settings
from shared.crypto import derive_key
from shared.terms import local_date
from tests.integration.test_shredding import MELDPUNT, closed_without_case, file
from tests.support import eventually, ok, running, token


async def test_a_restart_keeps_the_lists_and_a_shredded_melding_marked(
        settings: Settings) -> None:
    settings = settings.model_copy(update={"retention_days": 0, "view_flush_seconds": 0.2})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    today = local_date(datetime.now(UTC)).isoformat()
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running("intake", settings))
        async with running("triage", settings) as triage:
            s = {"intake": intake, "triage": triage}
            shred_id, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            kept_id, _ = await file(s, "Een tweede melding over een cadeaubon.")
            await closed_without_case(s, settings, shred_id)
            run = await ok(triage.client.post("/api/retention/run", headers=meldpunt))
            assert [i["melding_id"] for i in run["shredded"]] == [shred_id]
            before = triage.app.state.parts.flusher.views

            async def flushed() -> bool:  # by the flusher, before the shutdown's
                return bool(before.position >= before._stored_ids(0, 10**9)[-1])

            await eventually(flushed)

        async with running("triage", settings) as triage:
            views = triage.app.state.parts.flusher.views
            assert views.position >= before.position
            # Nothing was committed after the last flush: the start read no event, the
            # queue's rows are its table's and no row was loaded.
            assert views.read_at_start == 0
            with views.store.engine.connect() as connection:
                rows = {table.name: [tuple(row) for row in connection.execute(select(table))]
                        for table in (melding_rows, word_rows, excluded_rows, closed_rows,
                                      follow_up_rows)}
            assert rows["triage_closed"] == []  # retention forgot the shredded one
            assert len(rows["triage_queue"]) == 2
            assert {row[1] for row in rows["triage_queue_words"]} == {kept_id}
            # The words' digests are keyed with triage's keyring secret, not with
            # anything the database holds: a word list and the table alone find nothing.
            digests = {row[0] for row in rows["triage_queue_words"]}
            secret = derive_key(settings.keyring_secret_of("triage"), "queue-words")
            assert word_digest("cadeaubon", secret) in digests
            for guess in (b"", b"triage_queue_words"):
                assert word_digest("cadeaubon", guess) not in digests
            for content in ("bakfiets", "cadeaubon", "leverancier"):
                assert content not in json.dumps(rows, default=str)
            listed = await ok(triage.client.get("/api/meldingen", headers=meldpunt))
            marked = {item["id"]: item["shredded_on"] for item in listed["items"]}
            assert marked == {shred_id: today, kept_id: None}
            closed = await ok(triage.client.get("/api/meldingen?status=closed",
                                                headers=meldpunt))
            assert [i["id"] for i in closed["items"]] == [shred_id]

            found = await ok(triage.client.post("/api/meldingen/search", headers=meldpunt,
                                                json={"text": "cadeaubon"}))
            assert [i["id"] for i in found["items"]] == [kept_id]
            found = await ok(triage.client.post("/api/meldingen/search", headers=meldpunt,
                                                json={"text": "bakfiets"}))
            assert found["items"] == []
            gone = await triage.client.get(f"/api/meldingen/{shred_id}", headers=meldpunt)
            assert gone.status_code == 410


async def test_views_rebuilt_from_the_events_list_a_shredded_melding_too(
        settings: Settings) -> None:
    """No stored rows (the first start with stored views, or rows cleared): the queue is
    rebuilt from every event, and a shredded melding's, whose content no longer reads,
    are applied without it."""
    settings = settings.model_copy(update={"retention_days": 0})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    today = local_date(datetime.now(UTC)).isoformat()
    async with running("intake", settings) as intake:
        async with running("triage", settings) as triage:
            s = {"intake": intake, "triage": triage}
            shred_id, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            await closed_without_case(s, settings, shred_id)
            await ok(triage.client.post("/api/retention/run", headers=meldpunt))
            store = triage.app.state.parts.flusher.views.store
        with store.engine.begin() as connection:
            connection.execute(store.positions.delete())
            connection.execute(store.rows.delete())
            for table in (melding_rows, word_rows, excluded_rows):
                connection.execute(delete(table))

        async with running("triage", settings) as triage:
            assert triage.app.state.parts.flusher.views.position > 0  # read every event
            listed = await ok(triage.client.get("/api/meldingen?status=closed",
                                                headers=meldpunt))
            assert [(i["id"], i["shredded_on"]) for i in listed["items"]] == [
                (shred_id, today)]
