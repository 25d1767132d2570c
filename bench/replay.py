"""Scenario 3: replay of the integration-event stream into the reporting projection,
beside the raw read rate of the same stream with nats-py.

The stream is filled with whole procedures (bench.seed). The replay itself is
reporting's `audit.rebuild`, the work behind `meldingen audit replay`, run in a
process of its own (bench.replay_worker) so that its time and peak memory are its
own: once with the signatures proved along each source's chain (the default), once
checking every message's own (`--every-signature`), each beside the raw read. The
endpoint replays up to the position the live figures have reached, so a reporting
process is then started as well: its live intake rate is measured over a
bounded window, and the endpoint is called once to see that it matches live.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import raw, seed
from bench.procs import REPO, Stack
from bench.sizes import Sizes

LIVE_WINDOW_S = 10.0
LIVE_SAMPLE_S = 0.1


def replay(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    runs = []
    for events in sizes.replay_events:
        stack = Stack(root / f"replay-{events}", database_url)
        try:
            stack.start_nats()
            started = time.perf_counter()
            asyncio.run(seed.publish(stack.settings, seed.procedure_events(events)))
            run: dict[str, Any] = {"events": events,
                                   "seed_s": round(time.perf_counter() - started, 1)}
            run["raw_read"] = asyncio.run(raw.stream_read_rate(
                stack.settings, stack.settings.stream, expected=events, seconds=60 + events / 5000))
            run.update(_worker(stack, events))
            run["every_signature"] = _worker(stack, events, "--every-signature")
            # Read again after the replays: on a shared machine the load moves within
            # a run, and the ratios are taken against the faster of the two reads.
            run["raw_read_after"] = asyncio.run(raw.stream_read_rate(
                stack.settings, stack.settings.stream, expected=events, seconds=60 + events / 5000))
            read = max(run["raw_read"]["rate_per_s"], run["raw_read_after"]["rate_per_s"])
            for figures in (run, run["every_signature"]):
                figures["of_raw_read_pct"] = round(figures["rate_per_s"] / read * 100, 1)
            run["endpoint"] = _endpoint(stack, events)
            runs.append(run)
        finally:
            stack.stop()
    return {"runs": runs}


def _worker(stack: Stack, events: int, *flags: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.replay_worker", *flags], cwd=REPO,
                          env=stack.env(), capture_output=True, text=True,
                          timeout=120 + events / 2000, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"replay worker failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _endpoint(stack: Stack, events: int) -> dict[str, Any]:
    """The live figures' intake rate over a window, then one call of the endpoint,
    then a restart from the figure tables (written with each batch's tracking)."""
    reporting = stack.start_service("reporting")
    auditor = stack.token("auditor")

    def live() -> dict[str, Any] | None:
        response = httpx.get(reporting.url + "/api/audit/live", headers=auditor, timeout=30)
        return response.json() if response.status_code == 200 else None

    deadline = time.monotonic() + 120
    while (first := live()) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if first is None:
        return {"error": "live figures not ready within 120 s"}
    cpu = reporting.cpu_seconds()
    live_rate, cleared, taken = _live_rate(live, first["position"], events)
    cpu = reporting.cpu_seconds() - cpu
    called = time.perf_counter()
    response = httpx.post(reporting.url + "/api/audit/replay", headers=auditor, timeout=600)
    elapsed = time.perf_counter() - called
    body = response.json()
    result = {"live_intake_per_s": round(live_rate, 1), "backlog_cleared": cleared,
              # Reporting's CPU over the window (its /api/audit/live answers included)
              # per event taken in: the figure that survives a loaded machine.
              "live_cpu_us_per_event": round(cpu / taken * 1e6, 1) if taken else None,
              "status": response.status_code,
              "replayed": body.get("events_replayed"), "elapsed_s": round(elapsed, 2),
              "matches_live": body.get("matches_live"),
              "reporting_peak_rss_mib": reporting.peak_rss_mib()}
    while (now := live()) is not None and now["position"] < events and \
            time.monotonic() < deadline + 600:
        time.sleep(0.5)
    stack.stop("reporting")
    restarted = time.perf_counter()
    reporting = stack.start_service("reporting")
    result["restart_ready_s"] = round(time.perf_counter() - restarted, 2)
    result["restart_position"] = (live() or {}).get("position")
    return result


def _live_rate(live: Callable[[], dict[str, Any] | None], start: int, events: int
               ) -> tuple[float, bool, int]:
    """Events/s over the window, counted only while a backlog was left: a backlog that
    clears inside the window would otherwise be divided by the idle time after it.
    True with it if the backlog cleared (the rate is then a lower bound); the events
    taken in."""
    started = time.perf_counter()
    position, at = start, started
    while at - started < LIVE_WINDOW_S:
        time.sleep(LIVE_SAMPLE_S)
        sample = live()
        if sample is None:
            continue
        position, at = sample["position"], time.perf_counter()
        if position >= events:
            return (position - start) / (at - started), True, position - start
    return (position - start) / (at - started), False, position - start
