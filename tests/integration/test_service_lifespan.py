"""Every service, reporting included, runs on the one shared messaging runtime."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from shared.config import SERVICES, Settings
from tests.support import eventually, make_settings, running


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_stops_at_once_while_nats_is_away(service: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", f"nats://127.0.0.1:{unused_port()}")
    async with running(service, settings) as s:
        assert (await s.client.get("/readyz")).status_code == 503
        stopping = time.monotonic()
    # Still connecting (reporting: not yet rebuilt): nothing in hand, so no wait.
    assert time.monotonic() - stopping < 3
    assert s.app.state.parts.runtime.nc is None


async def test_reporting_rebuilds_and_checkpoints_on_the_runtimes_connection(
    sqlite_settings: Settings,
) -> None:
    async with running("reporting", sqlite_settings) as reporting:
        parts = reporting.app.state.parts

        async def ready() -> bool:
            return (await reporting.client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=20)
        # One connection: the figures were rebuilt, and the inbox resumed, on it.
        assert parts.companion.runtime is parts.runtime
        assert parts.runtime.inbox is not None
        assert parts.companion in parts.runtime.companions
        checkpoint = await parts.companion.checkpoint()
        assert checkpoint
    assert parts.runtime.nc.is_closed
