"""Wires triage together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.triage.adapters.backfill_table import Unshared
from services.triage.adapters.closed_table import ClosedMeldingen
from services.triage.adapters.purge_table import PendingPurges
from services.triage.adapters.retention import RetentionCheck
from services.triage.adapters.routing_file import routing_table
from services.triage.api import (
    files_routes,
    notes_routes,
    page_routes,
    protection_routes,
    queue_routes,
)
from services.triage.api.deps import TriageParts
from services.triage.api.page_cache import PageCache
from services.triage.api.routes import router
from services.triage.application import TriageApplication
from services.triage.domain.content import CONTENT_FIELDS
from services.triage.files.backfill import Backfill
from services.triage.files.domain.files import CONTENT_FIELDS as FILE_FIELDS
from services.triage.files.domain.files import MeldingFiles
from services.triage.protection.views import FollowUp
from services.triage.views import Queue
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.crypto import derive_key
from shared.directory import STAFF_TOPICS
from shared.eventstore import store_environment
from shared.files.store import FileStore
from shared.files.upload import Uploads
from shared.keyring import Keyring
from shared.recorders import core_events
from shared.retention import RetentionTerms
from shared.runtime import MessagingRuntime, run_beside
from shared.service import service_app
from shared.viewstore import Flusher, StoredViews, ViewStore

SOURCES = ("intake", "investigation", "console")  # console: the staff directory
#: A backlog is taken in with one commit (an fsync), one key-table transaction and one
#: ack per batch: 500 spread them over more meldingen than the default's 100. A batch
#: is only as large as what is waiting, so one melding at a time still goes at once.
INBOX_BATCH = 500


def build_application(settings: Settings, clock: Clock | None = None) -> TriageApplication:
    application = TriageApplication(
        store_environment(settings, "triage"), clock=clock, routing=routing_table(settings),
        meldpunt_closes_inadmissible=settings.meldpunt_closes_inadmissible,
        closing_feedback_days=settings.closing_feedback_days)
    # Its keys come from intake, sealed in melding_received: nothing is made here.
    application.use_keyring(Keyring.for_service(settings, "triage", clock),
                            {**CONTENT_FIELDS, MeldingFiles.Received: FILE_FIELDS},
                            creating=[])
    return application


def build_parts(settings: Settings, clock: Clock | None = None) -> TriageParts:
    application = build_application(settings, clock)
    recorder = core_events(application.recorder)
    engine = recorder.engine()
    queue = Queue(default_authority=application.routing.default,
                  closing_feedback_days=settings.closing_feedback_days,
                  engine=engine,
                  words_key=derive_key(settings.keyring_secret_of("triage"), "queue-words"))
    # Each of them a table beside the events, with one position: a start reads no row
    # and only the events after it (issue 23).
    closed = ClosedMeldingen(engine)
    follow_up = FollowUp(settings.protection_follow_up_days, engine)
    purges = PendingPurges(engine)
    unshared = Unshared(engine)
    stored = StoredViews(ViewStore(engine, "triage"),
                         [queue, closed, follow_up, purges, unshared], recorder.notification_ids)
    application.feed_stored(stored, topical=[(application.directory.apply, STAFF_TOPICS)])
    # Signatures proved along each source's chain in a batch (`shared.messaging.
    # chainproof`): one Ed25519 check per run, where one per melding was an eighth
    # of what taking one in cost.
    runtime = MessagingRuntime(application, settings, SOURCES, inbox_batch=INBOX_BATCH,
                               chain_proof=True)
    files = FileStore(settings, "triage", lambda: runtime.nc)
    retention = RetentionCheck(application, closed, RetentionTerms.from_settings(settings),
                               check_every=settings.retention_check_seconds,
                               purges=purges, files=files)
    return TriageParts(application, runtime, queue, retention, follow_up,
                       Flusher(stored, settings.view_flush_seconds), files,
                       Uploads.from_settings(settings),
                       Backfill(application, unshared, settings.retention_check_seconds),
                       PageCache(settings.queue_pages_kept))


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock)
    app = service_app(parts, settings,
                      routers=[queue_routes.router, notes_routes.router,
                               protection_routes.router, files_routes.router, page_routes.router,
                               router])
    run_beside(app, parts.retention.loop, parts.retention.stop, "triage-retention")
    run_beside(app, parts.flusher.loop, parts.flusher.stop, "triage-views")
    run_beside(app, parts.backfill.loop, parts.backfill.stop, "triage-files-backfill")
    return app

