"""Wires the console together from `Settings`: the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import httpx
from fastapi import FastAPI

from services.console.adapters.links import base_url
from services.console.adapters.oidc import OidcClient
from services.console.adapters.passwords import Passwords
from services.console.adapters.services import Services
from services.console.adapters.sessions import SessionStore
from services.console.adapters.signing import TokenSigner, load_signing_key
from services.console.api.deps import ConsoleParts
from services.console.api.routes import router
from services.console.application import ConsoleApplication, Enrolment, SignIn
from services.console.notifications.adapters.transports import FileTransport, transport_for
from services.console.notifications.application import Notifier
from services.console.notifications.postman import Postman
from services.console.notifications.views import NoticeBoard
from services.console.web import cookie_policy
from services.console.web import install as install_web
from shared.clock import Clock, SystemClock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.recorders import core_events
from shared.runtime import MessagingRuntime, run_beside
from shared.service import service_app
from shared.viewstore import Flusher, StoredViews, ViewStore

# What the notifier hears of: meldingen and replies (intake), routing, feedback and
# closing (triage), a case's lapsed response term (investigation).
SOURCES: tuple[str, ...] = ("intake", "triage", "investigation")


def build_application(settings: Settings, clock: Clock | None = None) -> ConsoleApplication:
    return ConsoleApplication(store_environment(settings, "console"), clock=clock)


def build_parts(settings: Settings, clock: Clock | None = None,
                transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
                ) -> ConsoleParts:
    """`transports`: how to reach the four services other than by their URLs (tests)."""
    application = build_application(settings, clock or SystemClock())
    clock = application.clock
    recorder = core_events(application.recorder)
    # The notifier's board is tables beside the events, with the stored views' one
    # position: a start reads no row and only the events after it (issue 23).
    board = NoticeBoard(recorder.engine())
    stored = StoredViews(ViewStore(recorder.engine(), "console"), [board],
                         recorder.notification_ids)
    application.feed_stored(stored)
    passwords = Passwords()
    signer = TokenSigner(load_signing_key(settings), settings, clock)
    notifier = Notifier(application, clock, console_url=base_url(settings),
                        digest_hour=settings.notify_digest_hour,
                        claim_for=timedelta(seconds=settings.notify_claim_seconds),
                        board=board)
    transport = transport_for(settings)
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
        notifier=notifier,
        postman=Postman(notifier, transport, retry_max=settings.notify_retry_max_seconds,
                        check_every=settings.notify_check_seconds),
        mail_file=transport if isinstance(transport, FileTransport) else None,
        flusher=Flusher(stored, settings.view_flush_seconds),
    )


def create_app(settings: Settings | None = None, clock: Clock | None = None,
               transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock, transports)
    app = service_app(parts, settings, routers=[router])
    install_web(app)
    run_beside(app, parts.postman.run, parts.postman.stop, "console-postman")
    run_beside(app, parts.flusher.loop, parts.flusher.stop, "console-views")
    return app

