"""Scenario 8: each service's start with years of history (issue 23, rows 1-2).

The stream and every service's store are seeded with N meldingen of history
(bench.history), then each service is started on its own, as `meldingen run` starts
it, and timed to its /readyz; its resident memory is read at ready and its peak
(VmHWM) over the start and a settle window after it, in which the background sweep
and the first flushes run. Disk use of the seeded var dir is kept beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import history
from bench.procs import Process, Stack
from bench.sizes import Sizes

SERVICES = Sizes.start_services
#: Long enough for a start that grows with history to be measured, not failed.
READY_WITHIN = 900.0


def start(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for count in sizes.start_meldingen:
        result[str(count)] = start_with(root / str(count), database_url, count, sizes)
        result[str(count)]["services"] = list(sizes.start_services)
    return result


def start_with(root: Path, database_url: str | None, count: int,
               sizes: Sizes) -> dict[str, Any]:
    stack = Stack(root, database_url, ready_within=READY_WITHIN)
    try:
        stack.start_nats()
        seeding = history.seed_all(stack.settings, count, services=sizes.start_services,
                                   stream=sizes.start_stream, copied=sizes.start_copied)
        seeding["disk_mib"] = disk_mib(stack.root)
        result: dict[str, Any] = {"meldingen": count, "seeding": seeding}
        with held(sizes.start_lock):
            result["loadavg_start"] = round(os.getloadavg()[0], 1)
            for service in sizes.start_services:
                result[service] = start_one(stack, service, sizes.start_settle_seconds)
            result["loadavg_end"] = round(os.getloadavg()[0], 1)
        # Nothing new to send either: a relay that found unsent events would add them.
        result["stream_after_starts"] = history.stream_messages(stack.settings)
        return result
    finally:
        stack.stop()


@contextlib.contextmanager
def held(lock: str | None) -> Iterator[None]:
    """The bench lock (as `flock` takes it) for the measured part, if one is named."""
    if lock is None:
        yield
        return
    with open(lock, "a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def start_one(stack: Stack, service: str, settle: float) -> dict[str, Any]:
    """Start `service` on the seeded history, time it to ready, then let it settle."""
    began = time.perf_counter()
    process = stack.start_service(service)
    ready = time.perf_counter() - began
    figures = {"ready_s": round(ready, 2), "rss_ready_mib": rss_mib(process),
               "peak_rss_start_mib": process.peak_rss_mib(),
               "cpu_start_s": round(process.cpu_seconds(), 2)}
    time.sleep(settle)
    figures.update(peak_rss_mib=process.peak_rss_mib(), rss_settled_mib=rss_mib(process),
                   cpu_settle_s=round(process.cpu_seconds() - figures["cpu_start_s"], 2))
    stack.stop(service)
    return figures


def rss_mib(process: Process) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def disk_mib(root: Path) -> float:
    size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return round(size / 2**20, 1)
