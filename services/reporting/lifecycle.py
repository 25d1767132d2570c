"""Reporting's start, audit calls and periodic checkpoints around the shared runtime.

At start the live figures are rebuilt from the stream up to the sequence the inbox
tracked; only then does the inbox resume after it, so every event counts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.aio.client import Client

from services.reporting import audit
from services.reporting.adapters.signing import CheckpointSigner
from services.reporting.application import ReportingApplication
from shared.config import Settings
from shared.errors import Unavailable
from shared.messaging.nats import open_stream
from shared.parking import parked_sequences
from shared.runtime import MessagingRuntime

log = logging.getLogger("meldingen.reporting")


class ReportingRuntime:
    def __init__(self, app: ReportingApplication, runtime: MessagingRuntime,
                 settings: Settings) -> None:
        self.app = app
        self.runtime = runtime
        self.settings = settings
        self.signer = CheckpointSigner(settings)
        self.verifier = runtime.verifier  # the inbox's: the rebuild counts what it applies
        self.nc: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reporting-start")

    async def _run(self) -> None:
        self.nc, _ = await open_stream(self.settings, "reporting-audit", user="reporting")
        await self._rebuild()
        await self.runtime.start()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(),
                                       timeout=self.settings.checkpoint_interval_seconds)
                return
            try:
                await self.checkpoint()
            except Exception as exc:  # noqa: BLE001 - try again at the next interval
                log.warning("checkpoint failed", extra={"error": type(exc).__name__})

    async def _rebuild(self) -> None:
        stream = self.settings.stream
        tracked = await asyncio.to_thread(self.app.tracked_position, stream)
        parked = await asyncio.to_thread(self._parked)
        while True:
            try:
                figures, counted, _ = await audit.rebuild(self._js(), stream, self.verifier,
                                                          upto=tracked, parked=parked)
                break
            except Exception as exc:  # noqa: BLE001 - NATS away: try again
                log.warning("rebuild failed, retrying", extra={"error": type(exc).__name__})
                await asyncio.sleep(1.0)
        self.app.live.rebuilt(figures, tracked)
        log.info("figures rebuilt", extra={"events": counted, "position": tracked})

    def _js(self) -> Any:
        if self.nc is None or not self.nc.is_connected:
            raise Unavailable("The event stream is not reachable.")
        return self.nc.jetstream()

    async def replay(self) -> dict[str, Any]:
        # Up to the live position, the inbox judged every message: its verdicts hold.
        parked = await asyncio.to_thread(self._parked)
        return await audit.replay(self._js(), self.settings.stream, self.verifier,
                                  self.app.live, parked=parked)

    def _parked(self) -> frozenset[int]:
        return parked_sequences(self.app.recorder, self.app.mapper, self.settings.stream)

    async def verify(self) -> dict[str, Any]:
        return await audit.verify(self.settings, self._js(), self.signer)

    async def checkpoint(self) -> dict[str, Any]:
        return await audit.checkpoint(self.settings, self._js(), self.signer, self.app)

    async def ready(self) -> bool:
        return self.app.live.ready.is_set()

    async def stop(self) -> None:
        if self._task is not None:
            # A flag as well as a cancel: Python 3.11's wait_for can swallow a cancel
            # that arrives just as what it waits for completes.
            self._stopping.set()
            self._task.cancel()
            done, _ = await asyncio.wait({self._task}, timeout=10)
            if not done:
                log.warning("reporting's start did not stop in time")
        await self.runtime.stop()
        if self.nc is not None and not self.nc.is_closed:
            with contextlib.suppress(Exception):  # TimeoutError included: NATS is away
                await asyncio.wait_for(self.nc.close(), timeout=5)
