"""Wires triage together from `Settings`: the composition root."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.triage.adapters.retention import RetentionCheck
from services.triage.adapters.routing_file import routing_table
from services.triage.api import notes_routes, queue_routes
from services.triage.api.deps import TriageParts
from services.triage.api.routes import router
from services.triage.application import TriageApplication
from services.triage.domain.content import CONTENT_FIELDS
from services.triage.views import ClosedMeldingen, Queue
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.keyring import Keyring
from shared.retention import RetentionTerms
from shared.runtime import MessagingRuntime
from shared.service import service_app

SOURCES = ("intake", "investigation", "console")  # console: the staff directory


def build_application(settings: Settings, clock: Clock | None = None) -> TriageApplication:
    application = TriageApplication(
        store_environment(settings, "triage"), clock=clock, routing=routing_table(settings),
        meldpunt_closes_inadmissible=settings.meldpunt_closes_inadmissible)
    # Its keys come from intake, sealed in melding_received: nothing is made here.
    application.use_keyring(Keyring.for_service(settings, "triage", clock), CONTENT_FIELDS,
                            creating=[])
    return application


def build_parts(settings: Settings, clock: Clock | None = None) -> TriageParts:
    application = build_application(settings, clock)
    queue = Queue(default_authority=application.routing.default)
    closed = ClosedMeldingen()
    application.feed(queue.apply, closed.apply, application.directory.apply)
    retention = RetentionCheck(application, closed, RetentionTerms.from_settings(settings),
                               check_every=settings.retention_check_seconds)
    return TriageParts(application, MessagingRuntime(application, settings, SOURCES), queue,
                       retention)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock)
    app = service_app(parts, settings,
                      routers=[queue_routes.router, notes_routes.router, router])
    with_retention_check(app, parts.retention)
    return app


def with_retention_check(app: FastAPI, check: RetentionCheck) -> None:
    """The check runs beside the messaging runtime: what it shreds waits in the outbox
    while NATS is away. It stops before the store closes."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            task = asyncio.create_task(check.loop(), name="triage-retention")
            try:
                yield
            finally:
                check.stop()
                done, _ = await asyncio.wait({task}, timeout=5)
                if not done:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    app.router.lifespan_context = lifespan
