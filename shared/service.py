"""The one way a service's web app is put together: its container of parts, bearer
auth, health and readiness, and the messaging runtime's lifespan."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, FastAPI, Request

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


class ServiceParts(Protocol):
    """What every service's container holds; each adds the parts its routes read."""

    @property
    def application(self) -> ServiceApplication: ...

    @property
    def runtime(self) -> MessagingRuntime: ...


P = TypeVar("P", bound=ServiceParts)


def service_app(
    parts: ServiceParts,
    settings: Settings,
    *,
    routers: Sequence[APIRouter],
    readiness: Sequence[ReadinessCheck] = (),
) -> FastAPI:
    """`parts` is stored once on the app; `api/deps.py` reads it back with `parts_of`."""
    parts.application.keep_damage_register()
    app = create_app(
        service=parts.application.name,
        verifier=TokenVerifier(settings),
        routers=routers,
        lifespan=swept_at_start(parts.application, messaging_lifespan(parts.runtime),
                                share=settings.sweep_share,
                                again_after=settings.sweep_again_days * 86400),
        readiness=[*readiness_checks(parts.runtime), *readiness],
        details={"damaged_records": parts.application.damage.listed,
                 **readiness_details(parts.runtime)},
        max_body_bytes=settings.max_body_bytes,
        worker_threads=settings.worker_threads,
        forwarded_allow=settings.forwarded_allow_list,
    )
    app.state.parts = parts
    return app


def parts_of(app: FastAPI, kind: type[P]) -> P:
    """The app's container, checked to be `kind`: `app.state` itself is untyped."""
    parts = app.state.parts
    if not isinstance(parts, kind):
        raise TypeError(f"{app.title} holds {type(parts).__name__}, not {kind.__name__}")
    return parts


def parts_dependency(kind: type[P]) -> Callable[[Request], Awaitable[P]]:
    """The FastAPI dependency that reads the app's container (async: no threadpool
    hand-off for reading an attribute)."""

    async def parts(request: Request) -> P:
        return parts_of(request.app, kind)

    return parts


def swept_at_start(application: ServiceApplication,
                   lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
                   share: float = 1.0, again_after: float | None = None
                   ) -> Callable[[FastAPI], AbstractAsyncContextManager[Any]]:
    """A service whose views did not read its whole store at start checks it in the
    background, so that a damaged event is logged and in /readyz before anyone asks
    for its melding (shared/damage.py): from where the last start's check got to, and
    the whole store again `again_after` seconds after its last whole read; paced to
    `share` of a core."""

    @asynccontextmanager
    async def with_sweep(app: FastAPI) -> AsyncIterator[None]:
        async with lifespan(app):
            stopping = threading.Event()
            sweep = None if application.swept else asyncio.create_task(
                asyncio.to_thread(application.sweep, stopping=stopping.is_set, share=share,
                                  wait=stopping.wait, again_after=again_after))
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
