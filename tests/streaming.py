"""An ASGI app reached as over a socket: its answer's body read as the app sends it,
a message at a time. httpx's own ASGITransport gathers the whole body before it
answers, so through it nothing can show that a proxy (the console) passes a file on
in chunks rather than whole."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.types import ASGIApp, Message


class _Body(httpx.AsyncByteStream):
    def __init__(self, chunks: asyncio.Queue[bytes | None], task: asyncio.Task[None],
                 done: asyncio.Event) -> None:
        self._chunks, self._task, self._done = chunks, task, done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self._chunks.get()) is not None:
            yield chunk
        await self._task

    async def aclose(self) -> None:
        self._done.set()  # the client went away, as a closed socket says
        await asyncio.gather(self._task, return_exceptions=True)


class StreamingASGITransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        scope: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": request.method, "scheme": request.url.scheme,
            "path": request.url.path, "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query, "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": ("127.0.0.1", 50000),
            "server": (request.url.host, request.url.port or 80)}
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        start: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        done = asyncio.Event()
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.set_result(message)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await chunks.put(message["body"])
                if not message.get("more_body", False):
                    await chunks.put(None)
                    done.set()

        async def run() -> None:
            await self.app(scope, receive, send)

        task: asyncio.Task[None] = asyncio.create_task(run())
        pending: list[asyncio.Future[Any]] = [start, task]
        await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if not start.done():
            await task  # it failed before answering: its error, here
            raise RuntimeError("the app ended without an answer")
        begun = start.result()
        return httpx.Response(begun["status"], headers=begun.get("headers", []),
                              stream=_Body(chunks, task, done), request=request)
