"""Wires triage together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.triage.api.routes import router
from services.triage.application import TriageApplication
from services.triage.views import Queue
from shared.auth import TokenVerifier
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.runtime import MessagingRuntime, messaging_lifespan, readiness_checks
from shared.web import create_app as create_web_app

SOURCES = ("intake", "investigation")


def build_application(settings: Settings, clock: Clock | None = None) -> TriageApplication:
    return TriageApplication(store_environment(settings, "triage"), clock=clock)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    application = build_application(settings, clock)
    queue = Queue()
    queue.follow(application)
    runtime = MessagingRuntime(application, settings, SOURCES)
    app = create_web_app(
        service="triage",
        verifier=TokenVerifier(settings),
        routers=[router],
        lifespan=messaging_lifespan(runtime),
        readiness=readiness_checks(runtime),
        max_body_bytes=settings.max_body_bytes,
    )
    app.state.application = application
    app.state.queue = queue
    app.state.runtime = runtime
    return app
