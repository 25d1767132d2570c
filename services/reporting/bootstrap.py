"""Wires reporting together from `Settings`: the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.reporting.api.pages import router as pages
from services.reporting.api.routes import router
from services.reporting.application import ReportingApplication
from services.reporting.lifecycle import ReportingRuntime
from shared.auth import TokenVerifier
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.runtime import MessagingRuntime, readiness_checks
from shared.web import create_app as create_web_app

SOURCES = ("intake", "triage", "investigation")


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

    app = create_web_app(
        service="reporting",
        verifier=TokenVerifier(settings),
        routers=[router, pages],
        lifespan=lifespan,
        readiness=[*readiness_checks(runtime), reporting.ready],
        max_body_bytes=settings.max_body_bytes,
    )
    app.state.application = application
    app.state.runtime = runtime
    app.state.reporting = reporting
    return app
