"""Helpers for tests that run real parts: nats-server processes, databases, services."""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy
from fastapi import FastAPI
from nats.js import JetStreamContext

from shared import natsserver
from shared.auth import issue_token
from shared.clock import Clock
from shared.config import Settings
from shared.messaging.nats import open_stream

POSTGRES_URL = os.environ.get(
    "MELDINGEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose real part is missing here; under CI=true fail, as CI must run it."""
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@dataclass
class NatsServer:
    """A real nats-server from the venv, on a free port, storing in a temp dir."""

    store_dir: Path
    port: int = field(default_factory=natsserver.free_port)
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = natsserver.start(self.port, self.store_dir, extra=self.extra,
                                        log_file=self.store_dir / "nats.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def postgres_reachable() -> bool:
    address = urlsplit(POSTGRES_URL)
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 5432),
                                      timeout=0.5):
            pass
    except OSError:
        return False
    try:
        engine = sqlalchemy.create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError:
        return False
    return True


def create_postgres_database() -> str:
    """A fresh database for one test; returns its URL."""
    name = f"meldingen_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def make_settings(var_dir: Path, nats_url: str, database_url: str | None = None,
                  **overrides: Any) -> Settings:
    return Settings(var_dir=var_dir, nats_url=nats_url, database_url=database_url,
                    **overrides)


def token(settings: Settings, role: str, sub: str = "tester") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, sub=sub, role=role)}"}


@dataclass
class RunningService:
    name: str
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def application(self) -> Any:
        return self.app.state.application


@asynccontextmanager
async def running(
    service: str, settings: Settings, clock: Clock | None = None
) -> AsyncIterator[RunningService]:
    """One service in this process: its HTTP API (through ASGI), relay and inbox."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    app: FastAPI = bootstrap.create_app(settings, clock=clock)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                               base_url=f"http://{service}.test")
    async with app.router.lifespan_context(app), client:
        yield RunningService(service, app, client)


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool],
    timeout: float = 10.0,
    interval: float = 0.05,
) -> None:
    """Wait until `check` holds (retrying, never a fixed sleep); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def ok(response: httpx.Response | Awaitable[httpx.Response],
             status: int | None = None) -> Any:
    """The JSON of a successful answer (`status`, or any 2xx), awaiting it if need be."""
    if not isinstance(response, httpx.Response):
        response = await response
    succeeded = response.status_code == status if status else response.is_success
    assert succeeded, (response.status_code, response.text)
    return response.json()


def assessment(**changes: Any) -> dict[str, Any]:
    """The meldpunt's assessment request: admissible, advising an investigation."""
    return {"admissible": True, "reasonable_grounds": True, "code_violation": True,
            "severity": "medium", "theme": "gifts", "advice": "investigation",
            "motivation": "Voldoende aanwijzingen voor een onderzoek.", **changes}


MELDING: dict[str, Any] = {
    "kind": "integrity_violation",
    "theme": "gifts",
    "description": "Een leverancier gaf de afdelingshoofd een fiets.",
    "anonymous": False,
    "identity": {"name": "Jan Jansen", "email": "jan@example.org"},
    "involved": ["afdelingshoofd inkoop"],
}


@asynccontextmanager
async def jetstream(settings: Settings) -> AsyncIterator[JetStreamContext]:
    """A JetStream context on the settings' NATS, with the stream ensured."""
    nc, js = await open_stream(settings, "test")
    try:
        yield js
    finally:
        await nc.close()
