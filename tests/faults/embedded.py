"""`make run` as a user starts it, under the fault suite's counting: the run starts,
restarts and stops its own processes; the test only finds them (from /proc) and
counts what the stores and the stream hold, as for a `Deployment`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared.health import wait_until_healthy
from shared.natsserver import free_port
from tests.faults.harness import ROOT, Deployment, NatsNode


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (state, parent, ...); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (field 4 of stat is the parent)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(stat[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        below = [child for child, parent in parents.items() if parent in frontier]
        found += below
        frontier = below
    return found


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(check: Callable[[], object], timeout: float, what: str) -> float:
    """Seconds until `check()` is true; fails after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def embedded_run(directory: Path) -> EmbeddedRun:
    return EmbeddedRun(directory, [NatsNode([], {}, directory / "logs" / "nats.log",
                                            port=free_port())])


@dataclass
class EmbeddedRun(Deployment):
    """`make run` in a session of its own (so the test can kill its process group), on
    free ports, with var/ in the test's directory."""

    process: subprocess.Popen[bytes] | None = None

    @property
    def output(self) -> Path:
        return self.directory / "run.out"

    @property
    def env(self) -> dict[str, str]:
        env = dict(self["intake"].env)
        del env["MELDINGEN_NATS_URL"]  # the run starts NATS itself, on this port
        env["MELDINGEN_NATS_PORT"] = str(self.nats[0].port)
        return env

    def start(self) -> None:
        logs = self.directory / "logs"
        if not logs.exists():  # where the harness reads the logs: the run's var/logs
            (self.settings.var_dir / "logs").mkdir(parents=True, exist_ok=True)
            logs.symlink_to(self.settings.var_dir / "logs")
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT,
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        for service in self.services.values():
            wait_until_healthy(f"{service.url}/readyz", alive=self.running,
                               what=f"make run ({self.output})", timeout=120)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def crashed(self) -> list[str]:
        return [] if self.running() else ["meldingen run"]

    def pid_of(self, name: str) -> int:
        """The pid of one process of the run now (a service, or "nats")."""
        assert self.process is not None
        marker = "nats-server" if name == "nats" else f"shared.cli serve {name}"
        for pid in descendants(self.process.pid):
            if marker in command_of(pid) and alive(pid):
                return pid
        raise LookupError(f"{name} is not running")

    def processes(self) -> list[int]:
        assert self.process is not None
        return [self.process.pid, *descendants(self.process.pid)]

    def stop(self) -> None:
        """SIGINT to the session, as Ctrl-C would; killed if that fails."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
