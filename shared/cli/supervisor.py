"""Keeping `meldingen run`'s processes up: a child that exits is started again after a
back-off that doubles, until it keeps dying (RESTART_LIMIT exits within
RESTART_WINDOW seconds); then the run gives up and says why, in its output and in
the child's own log."""

from __future__ import annotations

import logging
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.health import wait_until_healthy
from shared.logging import JsonFormatter

RESTART_LIMIT = 5
RESTART_WINDOW = 60.0
FIRST_BACK_OFF = 0.5
MAX_BACK_OFF = 8.0


class GaveUp(Exception):
    """A child kept dying; the message says which and how often."""


@dataclass
class Child:
    """One process of the run, as it is started (again) and where it logs."""

    name: str
    spawn: Callable[[], subprocess.Popen[bytes]]
    log_file: Path
    health_url: str | None = None  # None: `spawn` itself waits until it is up (NATS)
    popen: subprocess.Popen[bytes] | None = None
    exits: deque[float] = field(default_factory=deque)

    def start(self) -> None:
        self.popen = self.spawn()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_healthy(self, timeout: float = 60) -> float:
        if self.health_url is None:
            return 0.0
        return wait_until_healthy(self.health_url, alive=lambda: self.alive,
                                  what=f"{self.name} (see {self.log_file})", timeout=timeout)

    def note(self, level: int, message: str, **extra: object) -> None:
        """A line in the child's own log, in the services' JSON form: what happened to
        it is then in one place."""
        record = logging.makeLogRecord({"name": "meldingen.run", "levelno": level,
                                        "levelname": logging.getLevelName(level),
                                        "msg": message, "service": self.name, **extra})
        with self.log_file.open("a") as log:
            log.write(JsonFormatter().format(record) + "\n")


def exit_description(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(self, children: list[Child], echo: Callable[[str], None]) -> None:
        self.children = children
        self.echo = echo

    def watch(self, interval: float = 0.2) -> None:
        """Until a child keeps dying (GaveUp) or the run is stopped by a signal."""
        while True:
            for child in self.children:
                if not child.alive:
                    self.restart(child)
            time.sleep(interval)

    def restart(self, child: Child) -> None:
        assert child.popen is not None
        how = exit_description(child.popen.returncode)
        now = time.monotonic()
        child.exits.append(now)
        while child.exits and child.exits[0] < now - RESTART_WINDOW:
            child.exits.popleft()
        if len(child.exits) >= RESTART_LIMIT:
            message = (f"{child.name} exited {len(child.exits)} times within "
                       f"{RESTART_WINDOW:.0f} s (last: {how}); giving up and stopping "
                       f"everything; see {child.log_file}")
            child.note(logging.ERROR, message, exits=len(child.exits))
            raise GaveUp(message)
        delay = min(FIRST_BACK_OFF * 2 ** (len(child.exits) - 1), MAX_BACK_OFF)
        message = (f"{child.name} stopped ({how}); restarting it in {delay:g} s "
                   f"({len(child.exits)} of {RESTART_LIMIT} exits allowed in "
                   f"{RESTART_WINDOW:.0f} s)")
        child.note(logging.WARNING, message, exits=len(child.exits))
        self.echo(message)
        time.sleep(delay)
        try:
            child.start()  # NATS: until it listens
            took = child.wait_healthy()
        except (OSError, RuntimeError, TimeoutError) as exc:  # ProcessExited included
            self.echo(f"{child.name} did not come back: {exc}")  # the next round counts it
            return
        child.note(logging.INFO, "restarted by meldingen run")
        self.echo(f"{child.name} restarted and healthy ({took:.1f} s)")
