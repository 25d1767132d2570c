"""The outbox relay through failures: it backs off while NATS refuses its messages (a
commit must not cut the pause short, or every melding filed during an outage costs a
retry and a warning at once), and it carries on by itself after the store failed in
the middle of recording a batch."""

from __future__ import annotations

import asyncio
import logging

import pytest
from eventsourcing.persistence import OperationalError

from shared.config import Settings
from shared.messaging.nats import connect, ensure_stream
from shared.messaging.permissions import ADMIN
from tests.support import MELDING, eventually, running

FILED_DURING_OUTAGE = 30


async def test_commits_during_an_outage_do_not_defeat_the_back_off(
    sqlite_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    nc = await connect(sqlite_settings, "test", user=ADMIN)
    js = nc.jetstream()
    try:
        async with running("intake", sqlite_settings) as intake:
            relay = intake.app.state.parts.runtime

            async def relaying() -> bool:
                return relay.relay is not None
            await eventually(relaying)
            # The stream is gone: every publish is refused at once.
            await js.delete_stream(sqlite_settings.stream)
            caplog.set_level(logging.WARNING, logger="meldingen.outbox")
            for _ in range(FILED_DURING_OUTAGE):
                assert (await intake.client.post("/api/meldingen", json=MELDING)).status_code == 201
            paused = [r for r in caplog.records if r.getMessage() == "relay paused"]
            assert len(paused) <= 5, f"{len(paused)} retries for {FILED_DURING_OUTAGE} commits"

            # The stream is back: the relay delivers everything after its pause.
            await ensure_stream(js, sqlite_settings)

            async def delivered() -> bool:
                info = await js.stream_info(sqlite_settings.stream)
                return info.state.messages == FILED_DURING_OUTAGE
            await eventually(delivered, timeout=20)
    finally:
        await nc.close()


async def test_a_store_lost_between_seal_and_position_does_not_stall_the_relay(
    sqlite_settings: Settings,
) -> None:
    """The relay records a batch's chain seal and then its position, two writes. Seen
    with PostgreSQL dropping connections mid-stream: the seal was stored, the position
    was not, and every retry after that failed on the seal's version (IntegrityError)
    until a restart; 38 accepted meldingen never reached triage. Here the store fails
    once, right between the two writes; the relay must carry on by itself."""
    async with running("intake", sqlite_settings) as intake:
        runtime = intake.app.state.parts.runtime

        async def relaying() -> bool:
            return runtime.relay is not None
        await eventually(relaying)
        recorder = intake.application.recorder
        insert_tracking = recorder.insert_tracking
        failures = []

        def store_gone_once(tracking: object) -> None:
            if not failures:
                failures.append(tracking)
                raise OperationalError("the connection was terminated")
            insert_tracking(tracking)

        recorder.insert_tracking = store_gone_once
        try:
            for _ in range(3):
                assert (await intake.client.post("/api/meldingen", json=MELDING)).status_code == 201
            # Publishing alone is not enough: a relay that cannot record its progress
            # re-publishes one batch forever and never gets past it.
            last = recorder.max_notification_id()

            async def recorded() -> bool:
                return await asyncio.to_thread(runtime.relay.position) == last
            await eventually(recorded, timeout=20)
        finally:
            recorder.insert_tracking = insert_tracking
        assert failures, "the store never failed between the two writes"
