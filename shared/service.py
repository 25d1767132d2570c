"""The one way a service's web app is put together: its application, its messaging
runtime (outbox relay and inbox), bearer auth, health and readiness."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
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
        lifespan=lifespan or messaging_lifespan(runtime),
        readiness=[*readiness_checks(runtime), *readiness],
        details=readiness_details(runtime),
        max_body_bytes=settings.max_body_bytes,
        worker_threads=settings.worker_threads,
    )
    app.state.application = application
    app.state.runtime = runtime
    for name, value in state.items():
        setattr(app.state, name, value)
    return app
