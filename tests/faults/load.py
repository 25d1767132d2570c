"""A stream of meldingen submitted to intake by a few concurrent clients, as a web
form would: each attempt once, never retried (a retry after a lost answer could file
a twin, which is the reporter's call, not the form's).

Every attempt ends in one of: accepted (201, the id is kept), refused (no
connection: nothing was sent), unknown (sent, but the answer was lost: it may or may
not have been filed), or an error status (counted by status).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

THEMES = ("interests", "conduct", "gifts", "resources", "information", "private_conduct",
          "subversion", "other")


def melding(number: int) -> dict[str, object]:
    anonymous = number % 3 == 0
    body: dict[str, object] = {
        "kind": "integrity_violation" if number % 2 else "wrongdoing",
        "theme": THEMES[number % len(THEMES)],
        "description": f"Melding {number} uit de storingsproef.",
        "anonymous": anonymous,
        "involved": [f"afdeling {number % 7}"],
    }
    if not anonymous:
        body["identity"] = {"name": f"Melder {number}", "email": f"melder{number}@example.org"}
    return body


@dataclass
class Load:
    url: str
    target: int
    workers: int = 4
    deadline_seconds: float = 180
    accepted: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)  # to prove no log line holds one
    refused: int = 0
    unknown: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._number = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> Load:
        self._started = time.monotonic()
        for _ in range(self.workers):
            thread = threading.Thread(target=self._work, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _next(self) -> int | None:
        with self._lock:
            if len(self.accepted) >= self.target or self._stop.is_set():
                return None
            if time.monotonic() - self._started > self.deadline_seconds:
                return None
            self._number += 1
            return self._number

    def _work(self) -> None:
        with httpx.Client(base_url=self.url, timeout=15) as client:
            while (number := self._next()) is not None:
                try:
                    response = client.post("/api/meldingen", json=melding(number))
                except httpx.ConnectError:
                    with self._lock:
                        self.refused += 1
                    time.sleep(0.05)  # intake is down: the form would show an error
                    continue
                except httpx.HTTPError:
                    with self._lock:
                        self.unknown += 1
                    continue
                with self._lock:
                    self.statuses[response.status_code] += 1
                    if response.status_code == 201:
                        self.accepted.append(response.json()["id"])
                        self.receipts.append(response.json()["receipt"])
                if response.status_code >= 500:
                    time.sleep(0.05)

    def wait_accepted(self, count: int, timeout: float = 120) -> None:
        """Until `count` meldingen got a 201 (the moment to inject a fault)."""
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(self.accepted)} of {count} accepted; {self}")
            time.sleep(0.02)

    def finish(self, timeout: float = 240) -> None:
        """Until the target is reached (or the deadline passed), then stop."""
        for thread in self._threads:
            thread.join(timeout)
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def __str__(self) -> str:
        return (f"accepted={len(self.accepted)} refused={self.refused} unknown={self.unknown} "
                f"statuses={dict(self.statuses)}")
