"""Wires reporting together from `Settings`: the composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.adapters.companion import ReportingCompanion
from services.reporting.api.deps import ReportingParts
from services.reporting.api.routes import router
from services.reporting.application import ReportingApplication
from services.reporting.web.pages import router as pages
from shared.clock import Clock
from shared.config import Settings, get_settings
from shared.eventstore import schema_of, store_environment
from shared.runtime import MessagingRuntime
from shared.service import service_app

#: Its own too: the checkpoints it publishes count nothing, but so its tracked sequence
#: reaches the stream's end like every other consumer's.
SOURCES = ("intake", "triage", "investigation", "reporting")
#: Counting an event costs a few microseconds beside its signature check, so a batch's
#: fetch, commit and ack are most of the rest: a larger batch than the default's 100
#: spreads them over more events.
INBOX_BATCH = 500


def build_application(settings: Settings, clock: Clock | None = None) -> ReportingApplication:
    return ReportingApplication(store_environment(settings, "reporting"), clock=clock,
                                schema=schema_of(settings, "reporting"))


def build_parts(settings: Settings, clock: Clock | None = None) -> ReportingParts:
    application = build_application(settings, clock)
    # The companion rebuilds the figures before the inbox starts, then signs checkpoints.
    companion = ReportingCompanion(application, settings)
    runtime = MessagingRuntime(application, settings, SOURCES, companions=[companion],
                               inbox_batch=INBOX_BATCH, chain_proof=True)
    return ReportingParts(application, runtime, companion)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    parts = build_parts(settings, clock)
    return service_app(parts, settings, routers=[router, pages],
                       readiness=[parts.companion.ready])
