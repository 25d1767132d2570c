"""Waiting until a service started as a process answers its health or readiness
endpoint: one loop for `meldingen run`, the fault harness and the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx


class ProcessExited(RuntimeError):
    """The process being waited for exited before it answered."""


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether `url` answers 200 now."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_healthy(url: str, *, alive: Callable[[], bool], what: str,
                       timeout: float = 60.0) -> float:
    """Poll `url` (a `/healthz` or `/readyz`) until it answers 200; returns the seconds
    it took. Raises ProcessExited as soon as `alive()` is false, TimeoutError after
    `timeout`; both name `what`."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise ProcessExited(f"{what} exited before it answered {url}")
        if answers(url):
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not answer {url} within {timeout:.0f}s")
