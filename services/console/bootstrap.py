"""Wires the console together from `Settings`: the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import httpx
from fastapi import FastAPI

from services.console.adapters.oidc import OidcClient
from services.console.adapters.passwords import Passwords
from services.console.adapters.services import Services
from services.console.adapters.sessions import SessionStore
from services.console.adapters.signing import TokenSigner, load_signing_key
from services.console.api.deps import ConsoleParts
from services.console.api.routes import router
from services.console.application import ConsoleApplication
from services.console.signin import Enrolment, SignIn
from services.console.web import cookie_policy
from services.console.web import install as install_web
from shared.clock import Clock, SystemClock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.runtime import MessagingRuntime
from shared.service import service_app

SOURCES: tuple[str, ...] = ()  # the console consumes no other service's events


def build_application(settings: Settings, clock: Clock | None = None) -> ConsoleApplication:
    return ConsoleApplication(store_environment(settings, "console"), clock=clock)


def build_parts(settings: Settings, clock: Clock | None = None,
                transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
                ) -> ConsoleParts:
    """`transports`: how to reach the four services other than by their URLs (tests)."""
    application = build_application(settings, clock or SystemClock())
    clock = application.clock
    passwords = Passwords()
    signer = TokenSigner(load_signing_key(settings), settings, clock)
    return ConsoleParts(
        application=application,
        runtime=MessagingRuntime(application, settings, SOURCES),
        settings=settings,
        signer=signer,
        sessions=SessionStore(
            clock, idle=timedelta(seconds=settings.console_session_idle_seconds),
            absolute=timedelta(seconds=settings.console_session_absolute_seconds)),
        signin=SignIn(application, passwords,
                      failure_delay=settings.console_failure_delay_seconds),
        enrolment=Enrolment(application, passwords),
        oidc=OidcClient.from_settings(settings),
        cookie_policy=cookie_policy(settings),
        services=Services.from_settings(settings, signer, transports),
    )


def create_app(settings: Settings | None = None, clock: Clock | None = None,
               transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = service_app(build_parts(settings, clock, transports), settings, routers=[router])
    install_web(app)
    return app
