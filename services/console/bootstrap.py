"""Wires the console together from `Settings`: the composition root."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.console.adapters.oidc import OidcClient
from services.console.adapters.passwords import Passwords
from services.console.adapters.sessions import SessionStore
from services.console.adapters.signing import TokenSigner, load_signing_key
from services.console.api.routes import router
from services.console.application import ConsoleApplication
from services.console.signin import Enrolment, SignIn
from services.console.web import install as install_web
from shared.clock import Clock, SystemClock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.service import service_app

SOURCES: tuple[str, ...] = ()  # the console consumes no other service's events


def build_application(settings: Settings, clock: Clock | None = None) -> ConsoleApplication:
    return ConsoleApplication(store_environment(settings, "console"), clock=clock)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    application = build_application(settings, clock or SystemClock())
    clock = application.clock
    passwords = Passwords()
    app = service_app(
        application, settings, sources=SOURCES, routers=[router],
        signer=TokenSigner(load_signing_key(settings), settings, clock),
        sessions=SessionStore(
            clock, idle=timedelta(seconds=settings.console_session_idle_seconds),
            absolute=timedelta(seconds=settings.console_session_absolute_seconds)),
        signin=SignIn(application, passwords,
                      failure_delay=settings.console_failure_delay_seconds),
        enrolment=Enrolment(application, passwords),
        oidc=OidcClient.from_settings(settings),
    )
    install_web(app, settings)
    return app
