"""Wires intake together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.adapters.adviser_keys import load_sealers
from services.intake.adapters.filing import Filing
from services.intake.adapters.form_tokens import FormTokens
from services.intake.adapters.mailbox_login import MailboxLogin
from services.intake.adapters.mailbox_tokens import MailboxTokens
from services.intake.adapters.proof_of_work import ProofOfWork
from services.intake.adapters.rate_limit import AttemptCounter
from services.intake.adapters.receipt_book import ReceiptBook
from services.intake.adapters.receipts import ReceiptKeys
from services.intake.api import adviser, mailbox, mailbox_files, records, staff_log
from services.intake.api.deps import IntakeParts
from services.intake.api.routes import router
from services.intake.application import IntakeApplication
from services.intake.domain.report import CONTENT_FIELDS, Report
from services.intake.files.application import IntakeFiles
from services.intake.files.domain.attachments import CONTENT_FIELDS as FILE_FIELDS
from services.intake.files.domain.attachments import Attachments
from services.intake.views import MeetingRequests, StaffLog
from services.intake.web import install as install_web
from shared.clock import Clock, SystemClock
from shared.config import Settings, get_settings
from shared.crypto import derive_key
from shared.eventstore import store_environment
from shared.files.store import FileStore
from shared.files.upload import Limits
from shared.keyring import Keyring
from shared.recorders import core_events
from shared.runtime import MessagingRuntime, run_beside
from shared.service import service_app
from shared.viewstore import Flusher, StoredViews, ViewStore

SOURCES = ("triage",)  # the meldpunt's messages to the reporter's mailbox


def build_application(settings: Settings, clock: Clock | None = None) -> IntakeApplication:
    sealers = load_sealers(settings)  # the adviser's keys are checked first
    keyring = Keyring.for_service(settings, "intake", clock)
    application = IntakeApplication(
        store_environment(settings, "intake"),
        receipts=ReceiptKeys(settings.receipt_key_b64),
        receipt_book=ReceiptBook(keyring.store),
        sealers=sealers,
        clock=clock,
        meeting_within_days=settings.meeting_request_term_days,
    )
    application.use_keyring(keyring, {**CONTENT_FIELDS, Attachments.Attached: FILE_FIELDS},
                            creating=[Report.Filed])
    return application


def build_mailbox_login(settings: Settings, application: IntakeApplication) -> MailboxLogin:
    clock = application.clock
    window = settings.mailbox_login_window_seconds
    tokens = MailboxTokens(
        derive_key(settings.receipt_key_b64, "mailbox-token"),
        ttl_seconds=settings.mailbox_token_ttl_seconds,
        issuer=settings.jwt_issuer,
        clock=clock,
    )
    proof_of_work = ProofOfWork(
        derive_key(settings.receipt_key_b64, "mailbox-proof-of-work"),
        bits=settings.mailbox_proof_bits,
        ttl_seconds=settings.mailbox_proof_ttl_seconds,
        clock=clock,
    )
    return MailboxLogin(
        application.find_by_receipt,
        tokens,
        proof_of_work=proof_of_work,
        failures_per_client=AttemptCounter(settings.mailbox_login_failures_per_client, window,
                                           clock),
        logins_per_melding=AttemptCounter(settings.mailbox_logins_per_melding, window, clock),
    )


def build_parts(settings: Settings, clock: Clock | None = None) -> IntakeParts:
    application = build_application(settings, clock or SystemClock())
    recorder = core_events(application.recorder)
    engine = recorder.engine()
    # Tables beside the events, with one position: a start reads no row and only the
    # events after it (issue 23).
    meeting_requests = MeetingRequests(engine)
    staff_log = StaffLog(engine)
    stored = StoredViews(ViewStore(engine, "intake"), [meeting_requests, staff_log],
                         recorder.notification_ids)
    application.feed_stored(stored)
    runtime = MessagingRuntime(application, settings, SOURCES)
    return IntakeParts(
        application,
        runtime,
        filing=Filing(application),
        login=build_mailbox_login(settings, application),
        form_tokens=FormTokens(settings.receipt_key_b64),
        meeting_requests=meeting_requests,
        staff_log=staff_log,
        files=IntakeFiles(application, FileStore(settings, "intake", lambda: runtime.nc),
                          Limits.from_settings(settings), settings.var_dir),
        flusher=Flusher(stored, settings.view_flush_seconds),
    )


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock)
    app = service_app(parts, settings,
                      routers=[router, mailbox.router, mailbox_files.router, adviser.router,
                               records.router, staff_log.router])
    install_web(app)
    run_beside(app, parts.flusher.loop, parts.flusher.stop, "intake-views")
    return app
