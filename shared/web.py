"""The FastAPI application every service is built on: problem+json errors, a body
size limit, access logging without bodies, health and readiness, bearer auth."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import authz
from shared.auth import InvalidToken, Principal, TokenVerifier
from shared.errors import DomainError
from shared.problems import document_problems, install_problem_handlers, problem

log = logging.getLogger("meldingen.http")
ReadinessCheck = Callable[[], Awaitable[bool]]


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class BodyLimit:
    """413 for a body over the limit, declared or streamed, before the app reads any of it.

    The body (at most `max_bytes`) is read here first and handed on in one piece: a
    limit enforced while the app reads would surface inside FastAPI's body parsing,
    which turns every error there into a 400.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._refuse(scope, receive, send)
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_bytes:
                return await self._refuse(scope, receive, send)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: only a disconnect can come
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes."
        await problem(413, "Payload too large", detail)(scope, receive, send)


class AccessLog:
    """One log line per request: method, path, status, duration. Never bodies or queries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except Exception as exc:  # noqa: BLE001
            # Answer instead of letting the server print a traceback with request data.
            log.error("unhandled error", extra={"error": type(exc).__name__})
            status = 500
            await problem(500, "Internal error", "An unexpected error occurred.")(
                scope, receive, send
            )
        finally:
            log.info("request", extra={
                "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1)})


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

    app = FastAPI(title=f"meldingen {service}", version="1", lifespan=with_worker_threads)
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
    document_problems(app)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(AccessLog)
    return app


_bearer = HTTPBearer(auto_error=False)


# The dependencies below are `async def`: FastAPI runs a plain `def` dependency in the
# threadpool, and those hand-offs (one per dependency per request) cost more than the
# work itself (measured with the benchmarks, docs/performance.md). Verifying a token
# is CPU only, unless the verifier must fetch a JWKS over the network.


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        if getattr(verifier, "may_block", False):
            return await asyncio.to_thread(verifier.verify, credentials.credentials)
        return verifier.verify(credentials.credentials)
    except InvalidToken:
        raise Unauthorized("The bearer token is invalid or expired.") from None


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    return None if credentials is None else await current_principal(request, credentials)


class Declared:
    """A dependency through which a route declares its action (`.action`), where the
    authorization-matrix test reads it; an action not in the table fails at import."""

    def __init__(self, action: str) -> None:
        self.action = authz.check_action(action)


class Authorized(Declared):
    """401/403 unless the caller's role may do the action."""

    async def __call__(self, principal: Annotated[Principal, Depends(current_principal)]
                       ) -> Principal:
        authz.require(principal.role, self.action)
        return principal


@dataclass(frozen=True)
class Permit:
    """The caller (if any) of a route that needs its action only sometimes: `require`
    answers 401/403 as `authorized` would, when the route gets there."""

    action: str
    principal: Principal | None

    def require(self) -> Principal:
        if self.principal is None:
            raise Unauthorized(f"A staff token is required to do {self.action!r}.")
        authz.require(self.principal.role, self.action)
        return self.principal


class Permitted(Declared):
    """The caller's `Permit` for the action, which the route checks where it needs it."""

    async def __call__(self, principal: Annotated[Principal | None, Depends(optional_principal)]
                       ) -> Permit:
        return Permit(self.action, principal)


def authorized(action: str) -> Any:
    """A dependency that answers 401/403 unless the caller's role may do `action`."""
    return Depends(Authorized(action))


def permitted(action: str) -> Any:
    """A dependency giving a `Permit` for `action`, checked only where the route asks."""
    return Depends(Permitted(action))
