"""Real processes for a run: nats-server from the venv and services started as
`meldingen serve SERVICE`, each run in its own var dir on free ports; and what the
kernel knows about them (peak RSS, CPU time)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from shared import natsserver
from shared.auth import issue_token
from shared.config import Settings
from shared.health import wait_until_healthy
from shared.messaging.credentials import development_authorization
from shared.messaging.nats import setup_stream
from shared.tokens import development_jwks

REPO = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    url: str = ""

    @property
    def pid(self) -> int:
        return self.popen.pid

    def peak_rss_mib(self) -> float:
        """The high-water mark of resident memory since start or the last reset."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def reset_peak_rss(self) -> None:
        """Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each run has its peak."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


@dataclass
class Stack:
    """NATS and the services of one run, sharing a var dir and a database."""

    root: Path
    database_url: str | None = None
    ready_within: float = 90.0  # seconds a service may take to its /readyz
    processes: dict[str, Process] = field(default_factory=dict)

    def __post_init__(self) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        self.settings = Settings(var_dir=self.root / "var", database_url=self.database_url,
                                 nats_url="nats://127.0.0.1:1")
        # Make the development secrets once, before several processes race for them.
        _ = (development_jwks(self.settings), self.settings.cipher_key_b64,
             self.settings.receipt_key_b64)

    def start_nats(self) -> str:
        port = natsserver.free_port()
        popen = natsserver.start(port, self.root / "nats",
                                 log_file=self.root / "logs" / "nats.log",
                                 authorization=development_authorization(self.settings))
        url = f"nats://127.0.0.1:{port}"
        self.processes["nats"] = Process("nats", popen, url)
        self.settings = self.settings.model_copy(update={"nats_url": url})
        asyncio.run(setup_stream(self.settings))  # as `meldingen run` does, as admin
        return url

    def cpu_seconds(self) -> float:
        """CPU time of every process of the stack so far."""
        return sum(p.cpu_seconds() for p in self.processes.values()
                   if p.popen.poll() is None)

    def env(self, **extra: str) -> dict[str, str]:
        # Only the run's own settings, and the one store setting a run may choose.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("MELDINGEN_") or k == "MELDINGEN_SQLITE_SYNCHRONOUS"}
        env.update({"MELDINGEN_VAR_DIR": str(self.settings.var_dir),
                    "MELDINGEN_NATS_URL": ",".join(self.settings.nats_servers), **extra})
        if self.database_url:
            env["MELDINGEN_DATABASE_URL"] = self.database_url
        return env

    def start_service(self, service: str, code: Path = REPO, **extra: str) -> Process:
        """`extra`: more settings; the console is told its own address too. `code`:
        another checkout's code to run (a before-and-after in one run)."""
        port = natsserver.free_port()
        if service == "console":
            extra.setdefault("MELDINGEN_CONSOLE_URL", f"http://127.0.0.1:{port}")
        env = self.env(**{f"MELDINGEN_{service.upper()}_PORT": str(port)}, **extra)
        return self._start(service, [sys.executable, "-m", "shared.cli", "serve", service],
                           env, port, ready="/readyz", code=code)

    def start_module(self, name: str, module: str, **extra: str) -> Process:
        """A benchmark's own server (bench.bare_app), with the same uvicorn setup."""
        port = natsserver.free_port()
        return self._start(name, [sys.executable, "-m", module],
                           self.env(BENCH_PORT=str(port), **extra), port, ready="/healthz")

    def _start(self, name: str, args: list[str], env: dict[str, str], port: int,
               ready: str, code: Path = REPO) -> Process:
        log = open(self.root / "logs" / f"{name}.log", "ab")  # noqa: SIM115
        popen = subprocess.Popen(args, env=env, cwd=code, stdout=log, stderr=subprocess.STDOUT)
        process = Process(name, popen, f"http://127.0.0.1:{port}")
        self.processes[name] = process
        wait_until(process, ready, self.ready_within)
        return process

    def token(self, role: str, sub: str = "bench") -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings, sub=sub, role=role)}"}

    def stop(self, name: str | None = None) -> None:
        names = [name] if name else [n for n in reversed(self.processes) if n != "nats"]
        if name is None and "nats" in self.processes:
            names.append("nats")
        for each in names:
            process = self.processes.pop(each, None)
            if process is not None:
                process.stop()


def wait_until(process: Process, path: str, timeout: float = 90.0) -> None:
    wait_until_healthy(process.url + path, alive=lambda: process.popen.poll() is None,
                       what=process.name, timeout=timeout)
