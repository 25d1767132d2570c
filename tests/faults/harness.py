"""The fault-injection harness: the services and nats-server as real processes on
127.0.0.1, each in its own process group so that a test can kill -9, stop, pause
and resume one of them, and a look into the stores and the stream to count.

A service runs exactly as in production: `python -m shared.cli serve <service>`,
configured only through MELDINGEN_* environment variables.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats
import nats.errors
from nats.aio.client import Client
from nats.js.api import ConsumerInfo, StreamInfo
from sqlalchemy import select

from shared import natsserver
from shared.config import SERVICES, Settings
from shared.health import wait_until_healthy
from shared.messaging.credentials import development_authorization
from shared.messaging.nats import connect, setup_stream
from shared.messaging.permissions import ADMIN
from shared.recorders import all_notifications
from shared.tokens import development_jwks

ROOT = Path(__file__).resolve().parents[2]


def _clean_environment() -> dict[str, str]:
    """The parent's environment without any MELDINGEN_* setting of its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}


@dataclass
class Process:
    """A child process, killed on its own (never by name)."""

    args: list[str]
    env: dict[str, str]
    log_file: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab")  # noqa: SIM115 - the child keeps it
        try:
            self.popen = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log,
                                          stderr=subprocess.STDOUT)
        finally:
            log.close()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        assert self.popen is not None
        self.popen.send_signal(signum)

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        if self.alive:
            self.signal(signal.SIGKILL)
        self.wait()

    def terminate(self, timeout: float = 20) -> int | None:
        """SIGTERM, then wait; SIGKILL if it will not stop. Returns the exit code."""
        if self.alive:
            self.signal(signal.SIGCONT)  # a paused process cannot handle SIGTERM
            self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float = 20) -> int | None:
        if self.popen is None:
            return None
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            code = self.popen.wait(timeout=10)
        self.popen = None
        return code


@dataclass
class Service(Process):
    name: str = ""
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        """Until /readyz answers 200 (event store and NATS reachable)."""
        wait_until_healthy(f"{self.url}/readyz", alive=lambda: self.alive,
                           what=f"{self.name} (see {self.log_file})", timeout=timeout)


@dataclass
class NatsNode(Process):
    port: int = 0

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        natsserver.wait_for_port("127.0.0.1", self.port, self.popen)


def nats_single(directory: Path) -> list[NatsNode]:
    """The embedded single node, as `meldingen run` starts it."""
    port = natsserver.free_port()
    args = [natsserver.binary(), "-js", "-a", "127.0.0.1", "-p", str(port),
            "-sd", str(directory / "nats"), "-c", str(_authorization(directory))]
    return [NatsNode(args, _clean_environment(), directory / "logs" / "nats.log", port=port)]


def nats_cluster(directory: Path, size: int = 3) -> list[NatsNode]:
    """`size` JetStream nodes on loopback, each with routes to all the others."""
    ports = [natsserver.free_port() for _ in range(size)]
    routes = [natsserver.free_port() for _ in range(size)]
    all_routes = ",".join(f"nats://127.0.0.1:{r}" for r in routes)
    config = _authorization(directory)
    nodes = []
    for i, (port, route) in enumerate(zip(ports, routes, strict=True)):
        args = [natsserver.binary(), "-js", "-a", "127.0.0.1", "-p", str(port),
                "-n", f"n{i}", "-sd", str(directory / f"nats-n{i}"),
                "--cluster_name", "meldingen", "--cluster", f"nats://127.0.0.1:{route}",
                "--routes", all_routes, "-c", str(config)]
        nodes.append(NatsNode(args, _clean_environment(), directory / "logs" / f"nats-n{i}.log",
                              port=port))
    return nodes


def _authorization(directory: Path) -> Path:
    """The users and permissions of the embedded run, for the Deployment's var dir."""
    config = directory / "nats-authorization.conf"
    config.write_text(development_authorization(Settings(var_dir=directory / "var")))
    return config


@dataclass
class Deployment:
    """NATS (one node or a cluster) and the four services, sharing one var dir."""

    directory: Path
    nats: list[NatsNode]
    database_url: str | None = None
    replicas: int = 1
    services: dict[str, Service] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings = Settings(
            var_dir=self.directory / "var", nats_url=self.nats_url,
            database_url=self.database_url, stream_replicas=self.replicas)
        # The development secrets, made once before four processes race for them.
        _ = (development_jwks(self.settings), self.settings.cipher_key_b64,
             self.settings.receipt_key_b64)
        env = _clean_environment() | {
            "MELDINGEN_VAR_DIR": str(self.settings.var_dir),
            "MELDINGEN_NATS_URL": self.nats_url,
            "MELDINGEN_STREAM_REPLICAS": str(self.replicas),
            # The procedure's competent authority (tests/faults/procedure.py) decides.
            "MELDINGEN_DEFAULT_COMPETENT_AUTHORITY": "fault-competent_authority",
        }
        if self.database_url:
            env["MELDINGEN_DATABASE_URL"] = self.database_url
        for name in SERVICES:
            port = natsserver.free_port()
            env[f"MELDINGEN_{name.upper()}_PORT"] = str(port)
            setattr(self.settings, f"{name}_port", port)
        for name in SERVICES:
            args = [sys.executable, "-m", "shared.cli", "serve", name]
            self.services[name] = Service(args, dict(env), self.directory / "logs" /
                                          f"{name}.log", name=name,
                                          port=self.settings.port_of(name))

    @property
    def nats_url(self) -> str:
        return ",".join(node.url for node in self.nats)

    def __getitem__(self, name: str) -> Service:
        return self.services[name]

    def start(self) -> None:
        for node in self.nats:
            node.start()
        asyncio.run(setup_stream(self.settings))  # as `meldingen run` does, as admin
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready()

    def stop(self) -> None:
        for service in self.services.values():
            service.terminate()
        for node in self.nats:
            node.terminate()

    def crashed(self) -> list[str]:
        """The processes that should run and do not."""
        return [name for name, service in self.services.items() if not service.alive]

    def restart(self, name: str) -> None:
        self[name].start()
        self[name].wait_ready()


@contextmanager
def deployed(directory: Path, nats_nodes: list[NatsNode], **options: object) -> Iterator[
        Deployment]:
    deployment = Deployment(directory, nats_nodes, **options)  # type: ignore[arg-type]
    failed = False
    try:
        deployment.start()
        yield deployment
    except BaseException:
        failed = True
        raise
    finally:
        deployment.stop()
        if failed:  # in the failed test's report: CI keeps nothing else of the run
            print(log_digest(directory / "logs"))


#: How a warning or an error looks in the services' JSON lines and in nats-server's log.
TROUBLE = ('"level": "warning"', '"level": "error"', "[WRN]", "[ERR]", "Traceback")


def log_digest(logs: Path, per_file: int = 40) -> str:
    """The last warnings and errors of every process's log (never secrets or identities:
    the privacy tests hold the logs to that)."""
    parts = []
    for log_file in sorted(logs.glob("*.log")):
        lines = [line for line in log_file.read_text(errors="replace").splitlines()
                 if any(mark in line for mark in TROUBLE)]
        shown = lines[-per_file:]
        parts.append(f"--- {log_file.name}: {len(lines)} warnings and errors"
                     + (f", the last {len(shown)}:" if shown else ""))
        parts.extend(shown)
    return "\n".join(parts)


# --- Counting: what each store and the stream hold ---------------------------------


def notifications(settings: Settings, service: str) -> list[tuple[int, str, str]]:
    """(id, topic, aggregate id) of every event in the service's notification log, read
    in a process of its own (ids and topics are stored in the clear)."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    app = bootstrap.build_application(settings)
    try:
        return [(n.id, n.topic, str(n.originator_id)) for n in all_notifications(app.recorder)]
    finally:
        app.close()


def damage_stored_event(settings: Settings, service: str, notification_id: int) -> None:
    """Flip one bit in the middle of one stored event's (encrypted) state, as a disk
    error or someone editing the row would: its cipher tag no longer fits. Called
    again, it flips the bit back (the row restored from a backup)."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    app = bootstrap.build_application(settings)
    try:
        table = app.recorder.events_record_cls.__table__
        with app.recorder.datastore.engine.begin() as connection:
            state = bytearray(connection.execute(
                select(table.c.state).where(table.c.id == notification_id)).scalar_one())
            state[len(state) // 2] ^= 0x01
            connection.execute(table.update().where(table.c.id == notification_id)
                               .values(state=bytes(state)))
    finally:
        app.close()


def creations(settings: Settings, service: str, topic_suffix: str) -> Counter[str]:
    """How often each aggregate got an event whose topic ends in `topic_suffix`."""
    return Counter(aggregate for _, topic, aggregate in notifications(settings, service)
                   if topic.endswith(topic_suffix))


def tracked_position(settings: Settings, service: str, name: str | None = None) -> int:
    """The last position the service tracked: its inbox's stream sequence, or with
    `name` another tracking record (`<service>.outbox`: what its relay published)."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    app = bootstrap.build_application(settings)
    try:
        return app.recorder.max_tracking_id(name or settings.stream) or 0
    finally:
        app.close()


async def stream_info(settings: Settings, stream: str, subject: str | None = None,
                      timeout: float = 30) -> StreamInfo:
    """The stream's info, asking again while a cluster elects a leader."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            nc = await _admin(settings)
            try:
                return await nc.jetstream().stream_info(stream, subjects_filter=subject)
            finally:
                await nc.close()
        except (nats.errors.Error, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def consumer_info(settings: Settings, stream: str, durable: str) -> ConsumerInfo:
    nc = await _admin(settings)
    try:
        return await nc.jetstream().consumer_info(stream, durable)
    finally:
        await nc.close()


async def stream_counts(settings: Settings, stream: str, subject: str) -> tuple[int, int]:
    """(messages on `subject`, last sequence of the stream)."""
    info = await stream_info(settings, stream, subject)
    return sum((info.state.subjects or {}).values()), info.state.last_seq


def run(coroutine):  # type: ignore[no-untyped-def]
    """Run a coroutine from a synchronous test."""
    return asyncio.run(coroutine)


async def _admin(settings: Settings) -> Client:
    """The operator's connection (once: a NATS that is away fails it, for the caller)."""
    return await asyncio.wait_for(connect(settings, "faults", user=ADMIN), timeout=10)
