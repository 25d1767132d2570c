"""Wires intake together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.adapters.adviser_keys import load_sealer
from services.intake.adapters.receipts import ReceiptKeys
from services.intake.api.routes import router
from services.intake.application import IntakeApplication
from shared.auth import TokenVerifier
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.runtime import MessagingRuntime, messaging_lifespan, readiness_checks
from shared.web import create_app as create_web_app

SOURCES = ("triage",)  # the meldpunt's messages to the reporter's mailbox


def build_application(settings: Settings, clock: Clock | None = None) -> IntakeApplication:
    return IntakeApplication(
        store_environment(settings, "intake"),
        receipts=ReceiptKeys(settings.receipt_key_b64),
        sealer=load_sealer(settings),
        clock=clock,
    )


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    application = build_application(settings, clock)
    runtime = MessagingRuntime(application, settings, SOURCES)
    app = create_web_app(
        service="intake",
        verifier=TokenVerifier(settings),
        routers=[router],
        lifespan=messaging_lifespan(runtime),
        readiness=readiness_checks(runtime),
        max_body_bytes=settings.max_body_bytes,
    )
    app.state.application = application
    app.state.runtime = runtime
    return app
