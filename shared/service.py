"""The one way a service's web app is put together: its application, its messaging
runtime (outbox relay and inbox), bearer auth, health and readiness."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from shared.application import ServiceApplication
from shared.auth import TokenVerifier
from shared.config import Settings
from shared.runtime import (
    MessagingRuntime,
    messaging_lifespan,
    readiness_checks,
    readiness_details,
)
from shared.web import ReadinessCheck, create_app

log = logging.getLogger("meldingen.service")


def service_app(
    application: ServiceApplication,
    settings: Settings,
    *,
    sources: Sequence[str],
    routers: Sequence[APIRouter],
    runtime: MessagingRuntime | None = None,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    readiness: Sequence[ReadinessCheck] = (),
    **state: Any,
) -> FastAPI:
    """`state` lands on `app.state` beside `application` and `runtime`, for the routes'
    dependencies."""
    runtime = runtime or MessagingRuntime(application, settings, sources)
    app = create_app(
        service=application.name,
        verifier=TokenVerifier(settings),
        routers=routers,
        lifespan=swept_at_start(application, lifespan or messaging_lifespan(runtime)),
        readiness=[*readiness_checks(runtime), *readiness],
        details={"damaged_records": application.damage.listed, **readiness_details(runtime)},
        max_body_bytes=settings.max_body_bytes,
        worker_threads=settings.worker_threads,
    )
    app.state.application = application
    app.state.runtime = runtime
    for name, value in state.items():
        setattr(app.state, name, value)
    return app


def swept_at_start(application: ServiceApplication,
                   lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]]
                   ) -> Callable[[FastAPI], AbstractAsyncContextManager[Any]]:
    """A service whose views did not read its whole store at start reads it once in
    the background, so that a damaged event is logged and in /readyz before anyone
    asks for its melding (shared/damage.py)."""

    @asynccontextmanager
    async def with_sweep(app: FastAPI) -> AsyncIterator[None]:
        async with lifespan(app):
            stopping = threading.Event()
            sweep = None if application.swept else asyncio.create_task(
                asyncio.to_thread(application.sweep, stopping=stopping.is_set))
            try:
                yield
            finally:
                stopping.set()  # the page in hand is finished before the store closes
                if sweep is not None:
                    try:
                        await sweep
                    except Exception as exc:  # noqa: BLE001 - the store was away: next start
                        log.warning("sweep of the store failed",
                                    extra={"error": type(exc).__name__})
    return with_sweep
