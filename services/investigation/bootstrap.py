"""Wires investigation together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.investigation.api.routes import router
from services.investigation.application import InvestigationApplication
from services.investigation.views import CaseIndex
from shared.auth import TokenVerifier
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.runtime import MessagingRuntime, messaging_lifespan, readiness_checks
from shared.web import create_app as create_web_app

SOURCES = ("triage",)


def build_application(settings: Settings, clock: Clock | None = None) -> InvestigationApplication:
    return InvestigationApplication(store_environment(settings, "investigation"), clock=clock)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    application = build_application(settings, clock)
    cases = CaseIndex()
    cases.follow(application)
    runtime = MessagingRuntime(application, settings, SOURCES)
    app = create_web_app(
        service="investigation",
        verifier=TokenVerifier(settings),
        routers=[router],
        lifespan=messaging_lifespan(runtime),
        readiness=readiness_checks(runtime),
        max_body_bytes=settings.max_body_bytes,
    )
    app.state.application = application
    app.state.cases = cases
    app.state.runtime = runtime
    return app
