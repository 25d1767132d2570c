"""Intake on the embedded SQLite store under concurrent submissions: a real uvicorn
server, many clients at once, no `database is locked`, no 5xx, each melding once."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
import uvicorn

from services.intake.bootstrap import build_application, create_app
from services.intake.domain.report import Report
from shared import natsserver
from shared.config import Settings
from tests.support import MELDING, eventually


@dataclass
class Served:
    url: str
    app: object
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def served_intake(settings: Settings) -> Iterator[Served]:
    """Intake behind a real uvicorn server (HTTP over a socket, its own event loop and
    thread pool), as `meldingen serve intake` runs it."""
    port = natsserver.free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False,
        timeout_graceful_shutdown=10,
    ))
    thread = threading.Thread(target=server.run, name="uvicorn-intake", daemon=True)
    thread.start()
    natsserver.wait_for_port("127.0.0.1", port)
    try:
        yield Served(f"http://127.0.0.1:{port}", app, server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive()


@pytest.mark.parametrize(("clients", "nats"), [(16, "up"), (64, "up"), (64, "away")])
async def test_concurrent_submissions_are_all_stored_once(
    sqlite_settings: Settings, clients: int, nats: str, caplog: pytest.LogCaptureFixture
) -> None:
    # With NATS away nothing else (no relay, no inbox) touches the fresh store first:
    # the concurrent requests are its very first transactions, the case that once
    # failed with `database is locked` while switching to WAL.
    if nats == "away":
        sqlite_settings = sqlite_settings.model_copy(
            update={"nats_url": f"nats://127.0.0.1:{natsserver.free_port()}"})
    caplog.set_level(logging.WARNING)
    with served_intake(sqlite_settings) as served:
        responses = await submit_together(served.url, clients)
        application = served.app.state.parts.application  # type: ignore[attr-defined]
        # Each melding is stored exactly once, under the id its reporter was given.
        notifications = application.recorder.select_notifications(
            None, 10 * clients, inclusive_of_start=False)
        filed = [application.mapper.to_domain_event(n) for n in notifications]

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * clients, [r.text for r in responses if r.status_code != 201]
    problems = [r.getMessage() for r in caplog.records
                if r.levelno >= logging.ERROR and not r.name.startswith("nats")]
    assert problems == []
    assert not any("locked" in r.getMessage() for r in caplog.records)
    filed_ids = sorted(str(e.originator_id) for e in filed if isinstance(e, Report.Filed))
    assert filed_ids == sorted(response.json()["id"] for response in responses)


async def submit_together(url: str, clients: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        # Every client submits at the same moment (one connection each).
        start = asyncio.Event()

        async def submit(number: int) -> httpx.Response:
            await start.wait()
            body = {**MELDING, "description": f"Melding {number} tegelijk ingediend."}
            return await client.post("/api/meldingen", json=body)

        tasks = [asyncio.create_task(submit(n)) for n in range(clients)]
        await asyncio.sleep(0.1)
        start.set()
        return list(await asyncio.gather(*tasks))


async def test_shutdown_lets_a_request_in_flight_finish(sqlite_settings: Settings) -> None:
    body = json.dumps(MELDING).encode()
    shutting_down = asyncio.Event()

    async def slowly() -> AsyncIterator[bytes]:
        yield body[:20]
        await shutting_down.wait()  # the rest only once the server is stopping
        yield body[20:]

    with served_intake(sqlite_settings) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            request = asyncio.create_task(client.post(
                "/api/meldingen", content=slowly(), headers={"content-type": "application/json"}))
            # The request is in flight once uvicorn has its headers and runs the app for it.
            await eventually(lambda: len(served.server.server_state.tasks) == 1)
            served.server.should_exit = True

            # The server stops taking new connections, but waits for this one.
            def refuses() -> bool:
                try:
                    socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1])),
                                             timeout=0.2).close()
                except OSError:
                    return True
                return False

            await eventually(refuses)
            assert served.thread.is_alive()
            shutting_down.set()
            response = await request
        assert response.status_code == 201, response.text
        await asyncio.to_thread(served.thread.join, 30)
        assert not served.thread.is_alive()
    # And it was stored.
    application = build_application(sqlite_settings)
    try:
        assert application.repository.get(UUID(response.json()["id"])).description
    finally:
        application.close()
