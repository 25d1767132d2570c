"""The ASGI middlewares every service runs: the client's address behind trusted proxies,
headers on every answer, a body size limit, access logging without bodies."""

from __future__ import annotations

import logging
import re
import time
from typing import Any, cast

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shared.problems import problem

log = logging.getLogger("meldingen.http")
# Paths whose answers may be cached: files that hold nothing about anyone.
CACHEABLE = ("/static/", "/docs/static/")


def trusted_proxies(app: ASGIApp, allow: list[str]) -> ASGIApp:
    """X-Forwarded-For is believed only from the proxies named in `allow` (none by
    default): from anyone else it is a header the client wrote, and the limits that
    count per address would count whatever address the client made up."""
    if not allow:
        return app
    # uvicorn types ASGI apps more narrowly than starlette; both are the same protocol.
    return cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=allow))


class ResponseHeaders:
    """`nosniff` on every answer, and `no-store` unless it says otherwise: receipts,
    tokens, mailbox contents and meldingen must not survive in a browser's or a proxy's
    cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cacheable = scope["path"].startswith(CACHEABLE)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if not cacheable and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


#: The routes that take files (multipart), whose bodies are not held here.
UPLOAD_PATHS = re.compile(r"^/(|api/meldingen|api/mailbox/attachments|mailbox/attachments"
                          r"|api/meldingen/[^/]+/attachments|api/cases/[^/]+/evidence"
                          r"|cases/[^/]+/add_evidence)$")


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
        headers = dict(scope["headers"])
        if (UPLOAD_PATHS.match(scope["path"])
                and headers.get(b"content-type", b"").startswith(b"multipart/form-data")):
            # Files: the route streams them to disk and counts them against their own
            # limits as they come (shared/files/upload.py).
            return await self.app(scope, receive, send)
        declared = headers.get(b"content-length")
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
