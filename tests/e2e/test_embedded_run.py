"""`meldingen run` as a user starts it: a real process that brings up nats-server and the
four services, carries a melding from intake to triage, and on SIGTERM stops
everything it started, leaving no process behind."""

from __future__ import annotations

import os
import signal
import stat
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.config import SERVICES
from shared.natsserver import free_port
from tests.support import MELDING

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class EmbeddedRun:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    ports: dict[str, int]
    output: Path
    started_in: float

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


def children_of(pid: int) -> list[int]:
    """The direct children of a process, from /proc (field 4 of stat is the parent)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def answers(url: str, status: int = 200) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == status
    except httpx.HTTPError:
        return False


@pytest.fixture
def embedded_run(tmp_path: Path) -> Iterator[EmbeddedRun]:
    ports = {name: free_port() for name in (*SERVICES, "nats")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    env["MELDINGEN_VAR_DIR"] = str(tmp_path / "var")
    env.update({f"MELDINGEN_{name.upper()}_PORT": str(port) for name, port in ports.items()})
    output = tmp_path / "run.out"
    with output.open("wb") as out:
        started = time.monotonic()
        # Its own session: should the test fail half-way, the cleanup below can still
        # reach every process it started.
        process = subprocess.Popen([sys.executable, "-m", "shared.cli", "run"], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    run = EmbeddedRun(process, env, ports, output, 0.0)
    try:
        wait_for(lambda: all(answers(f"{run.url(s)}/healthz") for s in SERVICES)
                 or process.poll() is not None, 60, "every /healthz")
        assert process.poll() is None, output.read_text()
        run.started_in = time.monotonic() - started
        yield run
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_embedded_run_carries_a_melding_and_stops_cleanly(embedded_run: EmbeddedRun) -> None:
    run = embedded_run
    print(f"\nmeldingen run: NATS and four services healthy in {run.started_in:.1f}s")
    for service in SERVICES:
        assert answers(f"{run.url(service)}/healthz"), service
    wait_for(lambda: all(answers(f"{run.url(s)}/readyz") for s in SERVICES), 30, "/readyz")
    # `run` prints its welcome after its own health check, which may finish after ours.
    wait_for(lambda: "meldingen is running" in run.output.read_text(), 30, "the welcome text")
    welcome = run.output.read_text()
    assert f"http://127.0.0.1:{run.ports['intake']}" in welcome
    assert f"nats://127.0.0.1:{run.ports['nats']}" in welcome

    # A token as the welcome text says to make one.
    token = subprocess.run(
        [sys.executable, "-m", "shared.cli", "token", "--role", "meldpunt", "--sub", "e2e"],
        cwd=ROOT, env=run.env, capture_output=True, text=True, timeout=30, check=True,
    ).stdout.strip()
    meldpunt = {"Authorization": f"Bearer {token}"}

    # Post meldingen one by one; each is in triage's queue shortly after (measured).
    times = []
    with httpx.Client(timeout=10) as client:
        for number in range(5):
            body = {**MELDING, "description": f"Melding {number} van de e2e-test."}
            posted = time.perf_counter()
            response = client.post(f"{run.url('intake')}/api/meldingen", json=body)
            assert response.status_code == 201, response.text
            melding_id = response.json()["id"]

            def listed(melding_id: str = melding_id) -> bool:
                queue = client.get(f"{run.url('triage')}/api/meldingen?limit=500",
                                   headers=meldpunt)
                assert queue.status_code == 200, queue.text
                return melding_id in {item["id"] for item in queue.json()["items"]}

            wait_for(listed, 10, "the melding in triage's queue")
            times.append(time.perf_counter() - posted)
    print("propagation intake -> triage (POST answered + queue shows it): "
          + ", ".join(f"{t * 1000:.0f} ms" for t in times)
          + f"; median {statistics.median(times) * 1000:.0f} ms")

    # SIGTERM to `meldingen run` alone: it stops what it started, and nothing remains.
    children = children_of(run.process.pid)
    # nats-server, the services, and the retention's stream keeper, which has run once
    assert len(children) == 2 + len(SERVICES), children
    retention_log = Path(run.env["MELDINGEN_VAR_DIR"]) / "logs" / "retention.log"
    wait_for(lambda: retention_log.exists() and "sealed to a fixed pair taken off"
             in retention_log.read_text(), 30, "the retention's first run")
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=60) == 0, run.output.read_text()
    wait_for(lambda: not any(alive(pid) for pid in children), 10, "children gone")
    for service in (*SERVICES, "nats"):
        assert not answers(f"http://127.0.0.1:{run.ports[service]}/healthz")

    # Everything the run left under var/ (stores with their WAL, logs, the NATS store,
    # secrets) is the owner's alone.
    assert_private(Path(run.env["MELDINGEN_VAR_DIR"]))


def assert_private(var: Path) -> None:
    exposed = [f"{path.relative_to(var)} {oct(stat.S_IMODE(path.stat().st_mode))}"
               for path in [var, *var.rglob("*")]
               if stat.S_IMODE(path.stat().st_mode) & 0o077]
    assert exposed == [], exposed
    assert any(var.rglob("*.sqlite*")) and any(var.rglob("*.log"))
