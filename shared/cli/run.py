"""`meldingen run` (NATS and the services, what `make run` calls) and
`meldingen serve SERVICE` (one service in this process)."""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from shared import natsserver
from shared.cli.processes import die_with_parent, port_holder, port_taken
from shared.cli.supervisor import Child, GaveUp, Supervisor
from shared.config import SERVICES, Settings, get_settings
from shared.crypto import derive_key
from shared.health import ProcessExited
from shared.messaging.credentials import development_authorization
from shared.messaging.nats import setup_stream
from shared.tokens import development_jwks

# The GIL is handed to a waiting thread after this long (Python's default: 5 ms). A
# store commit in a worker thread waits for it after every release (each SQLite call,
# the fsync), so under load a commit took 5-10 ms; with 0.5 ms the slowest answers
# at 400/s came down by about 10 ms (docs/performance.md).
SWITCH_INTERVAL = 0.0005
# Seconds between moving what survived the young collections out of the collector's
# way. A view of 100,000 meldingen is about 900,000 tracked objects, and a full pass
# over them paused triage for 300-430 ms (the queue's p99 at 16 clients).
REFREEZE_SECONDS = 10.0


def tune_for_latency() -> None:
    """For a service process, once it is built: a shorter GIL switch interval, and
    everything allocated so far (modules, a view fed from the store) moved out of the
    cyclic collector's way, whose full passes otherwise paused intake for 70-80 ms."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)
    threading.Thread(target=_refreeze, name="gc-refreeze", daemon=True).start()


def _refreeze() -> None:
    """What a service keeps (a new melding's queue entry) is frozen in its turn, after
    a young collection has taken the garbage cycles of the last seconds. The price:
    a cycle that turns garbage after it survived them is never collected; the bench's
    peak RSS after 100,000 meldingen shows what that comes to."""
    while True:
        time.sleep(REFREEZE_SECONDS)
        gc.collect(1)
        gc.freeze()


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
    server = uvicorn.Server(server_config(app, settings, service))
    server.run()
    if not server.started:
        raise SystemExit(3)  # as uvicorn.run: the port was taken, or startup failed


def server_config(app: Any, settings: Settings, service: str) -> Any:
    """uvicorn's settings for one service. Its own X-Forwarded-For handling is off: it
    would believe 127.0.0.1 by default; the app believes only
    MELDINGEN_FORWARDED_ALLOW_IPS (shared/middleware.py)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port_of(service),
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )


def run() -> None:
    """Start NATS (unless MELDINGEN_NATS_URL names one) and the services, and keep
    them running: a process that exits is restarted (see shared/cli/supervisor.py)."""
    settings = get_settings()
    var = settings.var_dir.resolve()
    logs = var / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    var.chmod(0o700)  # also one made before the umask (shared/cli/__init__.py) was set
    nats_started = settings.nats_url is None
    ports = {s: settings.port_of(s) for s in SERVICES}
    if nats_started:
        ports = {"nats": settings.nats_port, **ports}
    _refuse_taken_ports(settings.host, ports)
    # Every child is started from this (the main) thread: the parent-death signal
    # follows the thread that forked, not the process.
    arm = die_with_parent()
    env = dict(os.environ)
    children: list[Child] = []
    if nats_started:
        store_key = derive_key(settings.cipher_key_b64, "nats-store").hex()

        def nats_group() -> None:
            # A group of its own as well: Ctrl-C reaches `run` alone, which stops NATS
            # after the services.
            os.setpgid(0, 0)
            if arm is not None:
                arm()

        authorization = development_authorization(settings)

        def start_nats() -> subprocess.Popen[bytes]:
            process = natsserver.start(
                settings.nats_port, var / "nats", log_file=logs / "nats.log",
                authorization=authorization, encryption_key=store_key, preexec_fn=nats_group)
            # The services may not create the stream: admin does, before they start.
            asyncio.run(setup_stream(settings))
            return process

        children.append(Child("nats", start_nats, logs / "nats.log"))
    for service in SERVICES:
        children.append(Child(
            service, partial(_spawn, ["serve", service], env, logs / f"{service}.log", arm),
            logs / f"{service}.log",
            health_url=f"http://{settings.host}:{ports[service]}/healthz"))
    if nats_started:
        # As the NATS administrator, which no service is: what triage's hourly check
        # shredded loses its keys sealed to a fixed pair on the stream too.
        command = ["retention", "stream", "--every", str(settings.retention_check_seconds)]
        children.append(Child("retention", partial(
            _spawn, command, env, logs / "retention.log", arm), logs / "retention.log"))

    def on_signal(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        typer.echo("Making the development secrets (var/secrets), unless they exist")
        # Once, before the services race for them.
        _ = development_jwks(settings), settings.cipher_key_b64, settings.receipt_key_b64
        for service in SERVICES:
            settings.event_signing_seed_of(service)
        _start_all(children)
        _print_welcome(settings.host, var, ",".join(settings.nats_servers))
        Supervisor(children, lambda line: typer.echo(line, err=True)).watch()
    except GaveUp as exc:
        typer.echo(str(exc), err=True)
        raise SystemExit(1) from None
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Services first, all at once (each finishes its requests and its relay batch
        # while NATS is still there); then NATS, started first.
        _stop_all([c.popen for c in children if c.name != "nats" and c.popen])
        _stop_all([c.popen for c in children if c.popen])


def _refuse_taken_ports(host: str, ports: dict[str, int]) -> None:
    """Before anything starts: a port another process holds (often a service left over
    from an earlier run) would make a child fail to bind, over and over."""
    taken = [f"  {name}: port {port} is taken by {port_holder(port)}"
             for name, port in ports.items() if port_taken(host, port)]
    if taken:
        raise SystemExit("meldingen run: cannot start, ports in use:\n" + "\n".join(taken)
                         + "\nStop that process, or choose other ports "
                         "(MELDINGEN_<SERVICE>_PORT, MELDINGEN_NATS_PORT).")


def _spawn(command: list[str], env: dict[str, str], log_file: Path,
           arm: Callable[[], None] | None) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "shared.cli", *command],
            # Its own process group: Ctrl-C reaches `run` alone, which then stops the
            # services before NATS.
            env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0, preexec_fn=arm)


def _start_all(children: list[Child]) -> None:
    """Each step as it happens: NATS until it listens, then the services together,
    each reported as it answers its health check."""
    started = time.monotonic()
    for child in children:
        typer.echo(f"Starting {child.name}")
        child.start()
        if child.health_url is None:
            typer.echo(f"  {child.name} is {'listening' if child.name == 'nats' else 'started'}")
    for child in children:
        if child.health_url is None:
            continue
        try:
            took = child.wait_healthy()
        except (ProcessExited, TimeoutError) as exc:
            raise SystemExit(f"meldingen run: {exc}; stopping the others.") from None
        typer.echo(f"  {child.name} is healthy ({took:.1f} s)")
    typer.echo(f"Everything is up in {time.monotonic() - started:.1f} s")


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
        f"  staff console  http://{host}:{settings.console_port}/",
        f"  logs           {var / 'logs'}",
        "",
        "A staff token (roles: meldpunt, competent_authority, investigator, auditor,",
        "confidential_adviser, manager):",
        "  .venv/bin/meldingen token --role meldpunt --sub alice",
        "",
        "Staff sign in at the console once added (the last line is their enrolment link):",
        "  .venv/bin/meldingen staff add --sub alice --name 'Alice' --email alice@example.org"
        " --role meldpunt",
        "",
        "Ctrl-C stops everything.",
    ]
    typer.echo("\n".join(lines))
