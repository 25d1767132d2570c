"""Wires triage together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.triage.adapters.retention import ClosedMeldingen, RetentionCheck
from services.triage.adapters.routing_file import routing_table
from services.triage.api import notes_routes, protection_routes, queue_routes
from services.triage.api.deps import TriageParts
from services.triage.api.routes import router
from services.triage.application import TriageApplication
from services.triage.domain.content import CONTENT_FIELDS
from services.triage.protection.views import FollowUp
from services.triage.views import Queue
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.keyring import Keyring
from shared.retention import RetentionTerms
from shared.runtime import MessagingRuntime, run_beside
from shared.service import service_app

SOURCES = ("intake", "investigation", "console")  # console: the staff directory


def build_application(settings: Settings, clock: Clock | None = None) -> TriageApplication:
    application = TriageApplication(
        store_environment(settings, "triage"), clock=clock, routing=routing_table(settings),
        meldpunt_closes_inadmissible=settings.meldpunt_closes_inadmissible,
        closing_feedback_days=settings.closing_feedback_days)
    # Its keys come from intake, sealed in melding_received: nothing is made here.
    application.use_keyring(Keyring.for_service(settings, "triage", clock), CONTENT_FIELDS,
                            creating=[])
    return application


def build_parts(settings: Settings, clock: Clock | None = None) -> TriageParts:
    application = build_application(settings, clock)
    queue = Queue(default_authority=application.routing.default,
                  closing_feedback_days=settings.closing_feedback_days)
    closed = ClosedMeldingen()
    follow_up = FollowUp(settings.protection_follow_up_days)
    application.feed(queue.apply, closed.apply, follow_up.apply, application.directory.apply)
    retention = RetentionCheck(application, closed, RetentionTerms.from_settings(settings),
                               check_every=settings.retention_check_seconds)
    return TriageParts(application, MessagingRuntime(application, settings, SOURCES), queue,
                       retention, follow_up)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock)
    app = service_app(parts, settings,
                      routers=[queue_routes.router, notes_routes.router,
                               protection_routes.router, router])
    run_beside(app, parts.retention.loop, parts.retention.stop, "triage-retention")
    return app

