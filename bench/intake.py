"""Scenarios 1 and 2: intake under load, and propagation into triage's queue.

Beside them, in the same run and on the same store: the store's append alone, an
empty FastAPI endpoint and a bare FastAPI endpoint that only saves one aggregate
(bench.bare_app), and JetStream's own publish-to-consume latency.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from bench import raw
from bench.drive import load
from bench.procs import Stack, machine_busy_seconds
from bench.sizes import Sizes
from bench.stats import summary
from services.triage.bootstrap import build_application
from services.triage.domain.report import Report
from shared.config import Settings

KINDS = ("named", "anonymous")
#: The target's load: 16 clients, here at a fixed rate (Sizes.propagation_rate).
PROPAGATION_CONCURRENCY = 16


def raw_limits(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    """The limits beneath intake, on a stack of their own (own files or database)."""
    stack = Stack(root, database_url)
    try:
        stack.start_nats()
        result: dict[str, Any] = {
            "store_append": raw.store_append(stack.settings, count=sizes.store_count,
                                             seconds=sizes.store_seconds),
            "jetstream": asyncio.run(raw.jetstream_latency(
                stack.settings, rate=400, count=sizes.jetstream_count,
                seconds=sizes.jetstream_count / 400 + 5)),
        }
        bare = stack.start_module("bare", "bench.bare_app")
        concurrency = 16 if 16 in sizes.concurrencies else max(sizes.concurrencies)
        common = {"base_url": bare.url, "concurrency": concurrency,
                  "count": sizes.intake_count, "duration": sizes.intake_seconds,
                  "warmup": sizes.warmup}
        for key, spec in (("empty_endpoint", {"paths": ["/empty"]}),
                          ("bare_save", {"method": "POST", "paths": ["/save"], "body": "named",
                                         "expect": 201})):
            bare.reset_peak_rss()
            with Contention(stack) as contention:
                result[key] = load({**common, **spec})
                contention.ours_extra = result[key]["loadgen_cpu_s"]
            result[key].update(peak_rss_mib=bare.peak_rss_mib(), **contention.figures())
        return result
    finally:
        stack.stop()


def intake_runs(root: Path, database_url: str | None, sizes: Sizes,
                propagation: bool) -> dict[str, Any]:
    """Named and anonymous meldingen at each concurrency against intake and triage
    as processes (closed loop: as fast as intake goes). With `propagation`, a run of
    each kind at a fixed rate (open loop, concurrency 16) whose every melding is then
    looked up in triage's event store: when triage recorded it, less when intake's
    201 was read."""
    stack = Stack(root, database_url)
    runs: list[dict[str, Any]] = []
    try:
        stack.start_nats()
        intake = stack.start_service("intake")
        triage = stack.start_service("triage")
        meldpunt = stack.token("meldpunt")
        created = 0
        first = 0
        for kind, concurrency, rate in _plan(sizes, propagation):
            # Each run starts with triage caught up, so that a backlog left by the run
            # before neither takes CPU from this one nor delays what it measures.
            wait_for_queue(triage.url, meldpunt, created, timeout=120)
            spec: dict[str, Any] = {
                "base_url": intake.url, "method": "POST", "paths": ["/api/meldingen"],
                "body": kind, "expect": 201, "concurrency": concurrency,
                "count": sizes.intake_count, "duration": sizes.intake_seconds,
                "warmup": sizes.warmup, "first": first,
            }
            if rate:
                spec.update(rate=rate, record_created=True)
            intake.reset_peak_rss()
            cpu = intake.cpu_seconds(), triage.cpu_seconds()
            with Contention(stack) as contention:
                result = load(spec)
                contention.ours_extra = result["loadgen_cpu_s"]
            result.update({
                "kind": kind,
                "rate": rate,
                "intake_peak_rss_mib": intake.peak_rss_mib(),
                "intake_cpu_s": round(intake.cpu_seconds() - cpu[0], 2),
                "triage_cpu_s": round(triage.cpu_seconds() - cpu[1], 2),
                **contention.figures(),
            })
            runs.append(result)
            created += result["ok"] + result["warmup_ok"]
            first += result["requests"] + sizes.warmup
        in_queue = wait_for_queue(triage.url, meldpunt, created, timeout=120)
        followed = [run for run in runs if "created" in run]
        if followed:
            meldingen = {melding for run in followed for melding, _ in run["created"]}
            received = received_times(stack.settings, meldingen)
            for run in followed:
                run["propagation"] = propagation_figures(run.pop("created"), received)
        return {"runs": runs, "created": created, "in_triage_queue": in_queue,
                "lost": created - in_queue,
                "intake_peak_rss_mib_overall": intake.peak_rss_mib()}
    finally:
        stack.stop()


def _plan(sizes: Sizes, propagation: bool) -> list[tuple[str, int, int | None]]:
    """(kind, concurrency, rate) of each run: the closed-loop runs at each concurrency
    (intake's maximum throughput and its latency there) and, for propagation, one
    open-loop run at the target's rate after the loaded (16) closed-loop one."""
    loaded = 16 if 16 in sizes.concurrencies else max(sizes.concurrencies)
    plan: list[tuple[str, int, int | None]] = []
    for kind in KINDS:
        for concurrency in sizes.concurrencies:
            plan.append((kind, concurrency, None))
            if propagation and concurrency == loaded:
                plan.append((kind, PROPAGATION_CONCURRENCY, sizes.propagation_rate))
    return plan


def received_times(settings: Settings, meldingen: set[str]) -> dict[str, float]:
    """When triage recorded each of these meldingen (its Report's first event,
    Received, created by the policy in the transaction that then commits), as
    wall-clock seconds, read from triage's own event store after the load."""
    application = build_application(settings)
    found: dict[str, float] = {}
    try:
        start = None
        while True:
            notifications = application.recorder.select_notifications(
                start, 1000, inclusive_of_start=False)
            for notification in notifications:
                melding = str(notification.originator_id)
                if notification.originator_version == 1 and melding in meldingen:
                    event = application.mapper.to_domain_event(notification)
                    if isinstance(event, Report.Received):
                        found[melding] = event.timestamp.timestamp()
            if len(notifications) < 1000:
                return found
            start = notifications[-1].id
    finally:
        application.close()


def propagation_figures(created: list[tuple[str, float]],
                        received: dict[str, float]) -> dict[str, Any]:
    """Per melding of the run: triage's Received timestamp less the time intake's 201
    was read (same machine, same clock); `lost`: never recorded by triage."""
    latencies = [(received[melding] - answered) * 1000 for melding, answered in created
                 if melding in received]
    return {**summary(latencies), "lost": len(created) - len(latencies)}


def wait_for_queue(base_url: str, headers: dict[str, str], expected: int,
                    timeout: float) -> int:
    """How many meldingen triage's queue holds once it stops growing (or reaches all)."""
    deadline = time.monotonic() + timeout
    total = -1
    while time.monotonic() < deadline:
        response = httpx.get(base_url + "/api/meldingen", params={"limit": 1},
                             headers=headers, timeout=30)
        total = int(response.json()["total"])
        if total >= expected:
            break
        time.sleep(0.5)
    return total


class Contention:
    """How much of the machine others used during a run: its CPU time in all, less
    this run's processes (the stack and the load generator), per second of the run."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.ours_extra = 0.0

    def __enter__(self) -> Contention:
        self.started = time.perf_counter()
        self.machine = machine_busy_seconds()
        self.ours = self.stack.cpu_seconds()
        self.loadavg = _loadavg()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.started
        self.machine = machine_busy_seconds() - self.machine
        self.ours = self.stack.cpu_seconds() - self.ours

    def figures(self) -> dict[str, Any]:
        others = max(0.0, self.machine - self.ours - self.ours_extra)
        return {"others_cpu_cores": round(others / self.wall, 2),
                "loadavg_before": self.loadavg, "loadavg_after": _loadavg()}


def _loadavg() -> list[float]:
    with open("/proc/loadavg") as file:
        return [float(x) for x in file.read().split()[:3]]
