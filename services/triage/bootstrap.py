"""Wires triage together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.triage.adapters.routing_file import routing_table
from services.triage.api import notes_routes, queue_routes
from services.triage.api.deps import TriageParts
from services.triage.api.routes import router
from services.triage.application import TriageApplication
from services.triage.domain.content import CONTENT_FIELDS
from services.triage.views import Queue
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import store_environment
from shared.keyring import Keyring
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
    application.feed(queue.apply, application.directory.apply)
    return TriageParts(application, MessagingRuntime(application, settings, SOURCES), queue)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    return service_app(build_parts(settings, clock), settings,
                       routers=[queue_routes.router, notes_routes.router, router])
