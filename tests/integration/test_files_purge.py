"""A shredded melding's files leave the files stream even when it was away as the
melding was shredded (docs/privacy.md, "Attachments"): the purge stays due, also
over a restart, and the next retention check with the stream back does it."""

from __future__ import annotations

from contextlib import AsyncExitStack

from shared.config import Settings
from shared.files.store import files_stream
from tests.integration.test_attachments import mailbox_token, send
from tests.integration.test_shredding import MELDPUNT, closed_without_case, file
from tests.support import NatsServer, eventually, jetstream, ok, running, token


async def chunks_kept(settings: Settings) -> int:
    async with jetstream(settings) as js:
        info = await js.stream_info(files_stream(settings))
        return int(info.state.messages)


async def test_a_purge_that_failed_is_retried_until_the_files_are_gone(
        sqlite_settings: Settings, nats_server: NatsServer) -> None:
    settings = sqlite_settings.model_copy(update={"retention_days": 0})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage")}
        triage = s["triage"].client
        melding_id, receipt = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        status, sent = await send(s["intake"], await mailbox_token(s["intake"], receipt),
                                  "verslag.txt", b"Gezien op dinsdag.\n")
        assert status == 201, sent

        async def arrived() -> bool:
            return len(await ok(triage.get(f"/api/meldingen/{melding_id}/attachments",
                                           headers=meldpunt))) == 1

        await eventually(arrived)
        await closed_without_case(s, settings, melding_id)

        # NATS is away as the melding is shredded: its key goes, its files stay.
        nats_server.stop()
        shredded = await ok(triage.post("/api/retention/run", headers=meldpunt))
        assert [m["melding_id"] for m in shredded["shredded"]] == [melding_id]
        nats_server.start()
        assert await chunks_kept(settings) == 1

        # The next check purges them, though it shreds nothing new.
        async def purged() -> bool:
            await ok(triage.post("/api/retention/run", headers=meldpunt))
            return await chunks_kept(settings) == 0

        await eventually(purged)


async def test_a_purge_still_due_is_done_at_triages_start(
        sqlite_settings: Settings, nats_server: NatsServer) -> None:
    settings = sqlite_settings.model_copy(update={"retention_days": 0})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(running("intake", settings))
        async with running("triage", settings) as triage:
            s = {"intake": intake, "triage": triage}
            melding_id, receipt = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            status, _ = await send(intake, await mailbox_token(intake, receipt),
                                   "verslag.txt", b"Gezien op dinsdag.\n")
            assert status == 201

            async def arrived() -> bool:
                return len(await ok(triage.client.get(
                    f"/api/meldingen/{melding_id}/attachments", headers=meldpunt))) == 1

            await eventually(arrived)
            await closed_without_case(s, settings, melding_id)
            nats_server.stop()
            await ok(triage.client.post("/api/retention/run", headers=meldpunt))
        nats_server.start()
        assert await chunks_kept(settings) == 1

        # Started again, with the stream back: its checks (the first may come before
        # triage is connected) purge them.
        async with running("triage", settings.model_copy(
                update={"retention_check_seconds": 0.2})) as triage:
            # The purge due is its table's row: the start read no event for it.
            assert triage.app.state.parts.flusher.views.read_at_start == 0

            async def purged() -> bool:
                return await chunks_kept(settings) == 0

            await eventually(purged)
