"""`meldingen run` (NATS and the four services, what `make run` calls) and
`meldingen serve SERVICE` (one service in this process)."""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from shared import natsserver
from shared.config import SERVICES, get_settings
from shared.crypto import derive_key
from shared.messaging.credentials import development_authorization
from shared.messaging.nats import setup_stream

# The GIL is handed to a waiting thread after this long (Python's default: 5 ms). A
# store commit in a worker thread waits for it after every release (each SQLite call,
# the fsync), so under load a commit took 5-10 ms; with 0.5 ms the slowest answers
# at 400/s came down by about 10 ms (docs/performance.md).
SWITCH_INTERVAL = 0.0005


def tune_for_latency() -> None:
    """For a service process, once it is built: a shorter GIL switch interval, and
    everything allocated so far (modules, a view fed from the store) moved out of the
    cyclic collector's way, whose full passes otherwise paused intake for 70-80 ms."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(run)


def serve(service: Annotated[str, typer.Argument(help=", ".join(SERVICES))]) -> None:
    """Run one service (HTTP API, outbox relay and inbox) in this process."""
    import uvicorn

    from shared.logging import configure_logging

    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service; one of: {', '.join(SERVICES)}")
    settings = get_settings()
    configure_logging(settings.log_level, service)
    # Built here, not by uvicorn's factory loader, so that a configuration that cannot
    # work stops the command with its ConfigurationError instead of a loader error.
    app = importlib.import_module(f"services.{service}.bootstrap").create_app(settings)
    tune_for_latency()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port_of(service),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


def run() -> None:
    """Start NATS (unless MELDINGEN_NATS_URL names one) and the four services."""
    settings = get_settings()
    var = settings.var_dir.resolve()
    (var / "logs").mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    nats_started = "MELDINGEN_NATS_URL" not in os.environ

    def stop() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Services first, all at once (each finishes its requests and its relay batch
        # while NATS is still there); then NATS, started first.
        _stop_all(children[1:] if nats_started else children)
        _stop_all(children)

    def on_signal(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        env = dict(os.environ)
        if nats_started:
            children.append(natsserver.start(
                settings.nats_port, var / "nats", log_file=var / "logs" / "nats.log",
                authorization=development_authorization(settings),
                encryption_key=derive_key(settings.cipher_key_b64, "nats-store").hex()))
            env["MELDINGEN_NATS_URL"] = f"nats://127.0.0.1:{settings.nats_port}"
            # The services may not create the stream: admin does, before they start.
            asyncio.run(setup_stream(settings.model_copy(
                update={"nats_url": env["MELDINGEN_NATS_URL"]})))
        # Make the development secrets once, before four processes race for them.
        _ = settings.jwt_key, settings.cipher_key_b64, settings.receipt_key_b64
        for service in SERVICES:
            settings.event_signing_seed_of(service)
        for service in SERVICES:
            log = open(var / "logs" / f"{service}.log", "ab")  # noqa: SIM115
            children.append(subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "serve", service],
                # Its own process group: Ctrl-C reaches `run` alone, which then stops
                # the services before NATS.
                env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0))
        _wait_until_healthy(settings.host, [settings.port_of(s) for s in SERVICES], children)
        _print_welcome(settings.host, var, env["MELDINGEN_NATS_URL"] if nats_started
                       else settings.nats_url)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        typer.echo("a process stopped; see var/logs/. Stopping the others.", err=True)
    finally:
        stop()


def _wait_until_healthy(host: str, ports: list[int], children: list[subprocess.Popen[bytes]],
                        timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    pending = list(ports)
    while pending and time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise SystemExit("a service failed to start; see var/logs/")
        for port in list(pending):
            try:
                if httpx.get(f"http://{host}:{port}/healthz", timeout=0.5).status_code == 200:
                    pending.remove(port)
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    if pending:
        raise SystemExit(f"services on ports {pending} did not start; see var/logs/")


def _stop_all(children: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """SIGTERM to each, then wait; SIGKILL for any that will not stop in time."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _print_welcome(host: str, var: Path, nats_url: str) -> None:
    settings = get_settings()
    lines = ["", "meldingen is running:"]
    for service in SERVICES:
        lines.append(f"  {service:<14} http://{host}:{settings.port_of(service)}")
    lines += [
        f"  {'nats':<14} {nats_url}",
        "",
        f"  web form       http://{host}:{settings.intake_port}/",
        f"  logs           {var / 'logs'}",
        "",
        "A staff token (roles: meldpunt, competent_authority, investigator, auditor,",
        "confidential_adviser, manager):",
        "  .venv/bin/meldingen token --role meldpunt --sub alice",
        "",
        "Ctrl-C stops everything.",
    ]
    typer.echo("\n".join(lines))
