"""Runs a service's messaging beside its HTTP API: connect to NATS (retrying), make
sure the stream exists, then relay the outbox and consume the inbox until stopped.

A service with more to do on the stream (reporting: rebuild its figures before the
inbox resumes, then sign checkpoints) hands in `Companion`s, which share the
connection and this lifecycle instead of running their own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI
from nats.aio.client import Client

from shared.application import ServiceApplication
from shared.config import Settings
from shared.messaging.epochs import EpochKeeper
from shared.messaging.inbox import Inbox
from shared.messaging.nats import open_stream
from shared.messaging.outbox import OutboxRelay
from shared.messaging.signing import signer_for, verifier_for
from shared.parking import count_parked
from shared.web import ReadinessCheck

log = logging.getLogger("meldingen.runtime")


class Worker(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None:
        """Finish what is in hand, then return from `run`."""


class Companion(Worker, Protocol):
    async def prepare(self, runtime: MessagingRuntime) -> None:
        """Once connected, before the relay and the inbox start."""


class MessagingRuntime:
    def __init__(
        self,
        app: ServiceApplication,
        settings: Settings,
        sources: Sequence[str],
        companions: Sequence[Companion] = (),
        inbox_batch: int = 100,
        chain_proof: bool = False,
    ) -> None:
        self.app = app
        self.settings = settings
        self.sources = list(sources)
        self.companions = list(companions)
        epochs = getattr(getattr(app, "keyring", None), "epochs", None)
        if epochs is not None:  # a receiver of sealed keys keeps its transport epochs
            self.companions.append(EpochKeeper(epochs, settings, app.name,
                                               signer_for(settings, app.name)))
        self.inbox_batch = inbox_batch
        self.chain_proof = chain_proof  # the inbox's (`shared.messaging.chainproof`)
        # Read now, so that a service missing a key or its credentials stops at start.
        self.signer = signer_for(settings, app.name)
        self.verifier = verifier_for(settings)
        settings.nats_seed_of(app.name)
        self.nc: Client | None = None
        self.relay: OutboxRelay | None = None
        self.inbox: Inbox | None = None
        self._workers: list[Worker] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.app.name}-messaging")

    async def _run(self) -> None:
        self.nc, js = await open_stream(self.settings, self.app.name, user=self.app.name)
        for companion in self.companions:
            await companion.prepare(self)
        self.relay = OutboxRelay(self.app, js, self.signer)
        workers: list[Worker] = [self.relay]
        if self.sources:
            self.inbox = Inbox(self.app, js, stream=self.settings.stream, sources=self.sources,
                               verifier=self.verifier, batch_size=self.inbox_batch,
                               chain_proof=self.chain_proof)
            workers.append(self.inbox)
        self._workers = [*workers, *self.companions]
        log.info("messaging started", extra={"sources": self.sources})
        await asyncio.gather(*(worker.run() for worker in self._workers))

    def parked(self) -> int:
        """Messages this service's inbox parked, ever (read from the store until the
        inbox runs)."""
        if self.inbox is not None:
            return self.inbox.parked()
        return count_parked(self.app.recorder)

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def stop(self) -> None:
        """Each worker finishes what it has in hand; then disconnect."""
        for worker in self._workers:
            worker.stop()
        if self._task is not None:
            if not self._workers:
                await _cancel(self._task)  # still connecting or preparing: nothing in hand
            done, _ = await asyncio.wait({self._task}, timeout=5)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.nc is not None and not self.nc.is_closed:
            with contextlib.suppress(Exception):  # TimeoutError included: NATS is away
                await asyncio.wait_for(self.nc.close(), timeout=5)


async def _cancel(task: asyncio.Task[None], within: float = 5.0) -> None:
    """Cancel until it takes: nats-py swallows a cancel that arrives while it cleans up
    after a failed connection attempt."""
    deadline = asyncio.get_running_loop().time() + within
    while not task.done() and asyncio.get_running_loop().time() < deadline:
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)


def messaging_lifespan(
    runtime: MessagingRuntime,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            runtime.app.close()

    return lifespan


def run_beside(app: FastAPI, run: Callable[[], Coroutine[Any, Any, None]],
               stop: Callable[[], None], name: str) -> None:
    """Run `run()` beside the messaging runtime, not on it: it goes on while NATS is
    away, and stops before the store closes."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            task = asyncio.create_task(run(), name=name)
            try:
                yield
            finally:
                stop()
                done, _ = await asyncio.wait({task}, timeout=5)
                if not done:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    app.router.lifespan_context = lifespan


def readiness_checks(runtime: MessagingRuntime) -> list[ReadinessCheck]:
    async def store_reachable() -> bool:
        await asyncio.to_thread(runtime.app.recorder.max_tracking_id, "readyz")
        return True

    async def nats_reachable() -> bool:
        return runtime.connected

    return [store_reachable, nats_reachable]


def readiness_details(runtime: MessagingRuntime) -> dict[str, Callable[[], object]]:
    # Counted from the store once, then in memory as the inbox parks more.
    return {"parked_messages": runtime.parked}
