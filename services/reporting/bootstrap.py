"""Wires reporting together from `Settings`: the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.reporting.api.pages import router as pages
from services.reporting.api.routes import router
from services.reporting.application import ReportingApplication
from services.reporting.lifecycle import ReportingRuntime
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.runtime import MessagingRuntime
from shared.service import service_app

#: Its own too: the checkpoints it publishes count nothing, but so its tracked sequence
#: reaches the stream's end like every other consumer's.
SOURCES = ("intake", "triage", "investigation", "reporting")


def build_application(settings: Settings, clock: Clock | None = None) -> ReportingApplication:
    return ReportingApplication(store_environment(settings, "reporting"))


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    application = build_application(settings, clock)
    runtime = MessagingRuntime(application, settings, SOURCES)
    reporting = ReportingRuntime(application, runtime, settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The figures are rebuilt first; the inbox starts after them.
        await reporting.start()
        try:
            yield
        finally:
            await reporting.stop()
            application.close()

    return service_app(
        application, settings, sources=SOURCES, routers=[router, pages], runtime=runtime,
        lifespan=lifespan, readiness=[reporting.ready], reporting=reporting,
    )
