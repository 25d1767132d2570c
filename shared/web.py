"""The FastAPI application every service is built on: problem+json errors, the
middlewares (`shared/middleware.py`), health and readiness, the token verifier that
`shared/deps.py` authenticates staff with, and the API documentation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI

from shared.apidocs import install_docs
from shared.auth import TokenVerifier
from shared.middleware import AccessLog, BodyLimit, ResponseHeaders, trusted_proxies
from shared.problems import document_problems, install_problem_handlers, problem

ReadinessCheck = Callable[[], Awaitable[bool]]


def create_app(
    *,
    service: str,
    verifier: TokenVerifier,
    routers: Sequence[APIRouter],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    readiness: Sequence[ReadinessCheck] = (),
    details: Mapping[str, Callable[[], object]] | None = None,
    max_body_bytes: int = 64 * 1024,
    worker_threads: int = 8,
    forwarded_allow: Sequence[str] = (),
) -> FastAPI:
    """`details` are named counters and lists that `/readyz` answers beside its
    verdict (each added in one place: the damaged records in shared/service.py)."""
    @asynccontextmanager
    async def with_worker_threads(app: FastAPI) -> AsyncIterator[None]:
        # The limit belongs to the running event loop, so it is set once that runs.
        anyio.to_thread.current_default_thread_limiter().total_tokens = worker_threads
        if lifespan is None:
            yield
        else:
            async with lifespan(app):
                yield

    app = FastAPI(title=f"meldingen {service}", version="1", lifespan=with_worker_threads,
                  docs_url=None, redoc_url=None)
    app.state.verifier = verifier
    install_problem_handlers(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "Not ready"}})
    async def readyz() -> Any:
        """The event store and NATS are reachable; with details (damaged records)."""
        shown: dict[str, Any] = {name: detail() for name, detail in (details or {}).items()}
        for check in readiness:
            try:
                if not await check():
                    return problem(503, "Not ready", f"{service} is not ready.", **shown)
            except Exception:  # noqa: BLE001 - any failure means: not ready
                return problem(503, "Not ready", f"{service} is not ready.", **shown)
        return {"status": "ready", **shown}

    for router in routers:
        app.include_router(router)
    install_docs(app)
    document_problems(app)
    app.add_middleware(ResponseHeaders)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(AccessLog)
    # Outermost, so that everything inside sees the client's own address.
    app.add_middleware(trusted_proxies, allow=list(forwarded_allow))
    return app
