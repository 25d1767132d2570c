"""The worker-thread limit (`create_app(worker_threads=N)`, MELDINGEN_WORKER_THREADS) is
the running event loop's once the app has started, and a service's lifespan still runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
from fastapi import APIRouter, FastAPI

from shared.auth import TokenVerifier
from shared.web import create_app
from tests.support import NatsServer, make_settings, running

router = APIRouter()


@router.get("/threads")
async def threads() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


def tiny_app(
    tmp_path: Path, worker_threads: int,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
) -> FastAPI:
    settings = make_settings(tmp_path / "var", "nats://127.0.0.1:1")
    return create_app(service="tiny", verifier=TokenVerifier(settings), routers=[router],
                      lifespan=lifespan, worker_threads=worker_threads)


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan entered, and a client that talks to it over ASGI."""
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=transport, base_url="http://tiny.test") as client:
        yield client


async def test_the_started_app_has_its_worker_thread_limit(tmp_path: Path) -> None:
    """After the lifespan ran, the loop's default thread limiter has N tokens (not 40)."""
    async with started(tiny_app(tmp_path, worker_threads=3)) as client:
        assert (await client.get("/threads")).json() == 3


async def test_a_lifespan_passed_in_still_runs(tmp_path: Path) -> None:
    """The limit is set by a lifespan wrapped around the service's own: that one still
    enters at start and exits at stop."""
    seen: list[str] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        seen.append("enter")
        yield
        seen.append("exit")

    async with started(tiny_app(tmp_path, worker_threads=3, lifespan=lifespan)) as client:
        assert seen == ["enter"]
        assert (await client.get("/threads")).json() == 3
    assert seen == ["enter", "exit"]


async def test_a_service_takes_its_limit_from_the_settings(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    """A real service (through `shared.service`) uses MELDINGEN_WORKER_THREADS."""
    settings = make_settings(tmp_path / "var", nats_server.url, worker_threads=3)
    async with running("intake", settings):
        assert anyio.to_thread.current_default_thread_limiter().total_tokens == 3
