"""The relay backs off while NATS refuses its messages: a commit must not cut the
pause short, or every melding filed during an outage (a cluster electing a stream
leader, a stream that is not there) costs a retry and a warning at once."""

from __future__ import annotations

import logging

import nats
import pytest

from shared.config import Settings
from shared.messaging.nats import ensure_stream
from tests.support import MELDING, eventually, running

FILED_DURING_OUTAGE = 30


async def test_commits_during_an_outage_do_not_defeat_the_back_off(
    sqlite_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    nc = await nats.connect(sqlite_settings.nats_url)
    js = nc.jetstream()
    try:
        async with running("intake", sqlite_settings) as intake:
            relay = intake.app.state.runtime

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
