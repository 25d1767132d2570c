"""Wires investigation together from `Settings`: the composition root."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.investigation.adapters.terms import ResponseTermWatch
from services.investigation.api import evidence_routes
from services.investigation.api.deps import InvestigationParts
from services.investigation.api.routes import router
from services.investigation.application import InvestigationApplication
from services.investigation.domain import case
from services.investigation.files.domain import attachments as case_attachments
from services.investigation.files.domain import evidence_files
from services.investigation.views import CaseIndex
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.directory import STAFF_TOPICS
from shared.eventstore import store_environment
from shared.files.store import FileStore
from shared.files.upload import Uploads
from shared.keyring import Keyring
from shared.recorders import core_events
from shared.runtime import MessagingRuntime, run_beside
from shared.service import service_app
from shared.viewstore import Flusher, StoredViews, ViewStore

SOURCES = ("triage", "console")  # console: the staff directory


def build_application(settings: Settings, clock: Clock | None = None) -> InvestigationApplication:
    application = InvestigationApplication(
        store_environment(settings, "investigation"), clock=clock,
        response_term=timedelta(days=settings.response_term_days))
    # Its keys come from triage, sealed onward in the melding_decided that opens a case.
    application.use_keyring(Keyring.for_service(settings, "investigation", clock),
                            case.CONTENT_FIELDS | evidence_files.CONTENT_FIELDS
                            | case_attachments.CONTENT_FIELDS,
                            creating=[])
    return application


def build_parts(settings: Settings, clock: Clock | None = None) -> InvestigationParts:
    application = build_application(settings, clock)
    recorder = core_events(application.recorder)
    cases = CaseIndex(recorder.engine())
    # Its rows and the events after their position (a shredded case's without content:
    # it stays listed, marked); the staff directory from every event of its topics.
    stored = StoredViews(ViewStore(recorder.engine(), "investigation"), [cases],
                         recorder.notification_ids)
    application.feed_stored(stored, topical=[(application.directory.apply, STAFF_TOPICS)])
    # The response terms are watched beside the inbox: a lapse leaves by the outbox.
    watch = ResponseTermWatch(application, cases, every=settings.response_term_check_seconds)
    runtime = MessagingRuntime(application, settings, SOURCES, companions=[watch])
    return InvestigationParts(application, runtime, cases,
                              FileStore(settings, "investigation", lambda: runtime.nc),
                              Uploads.from_settings(settings),
                              Flusher(stored, settings.view_flush_seconds))


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock)
    app = service_app(parts, settings, routers=[router, evidence_routes.router])
    run_beside(app, parts.flusher.loop, parts.flusher.stop, "investigation-views")
    return app
