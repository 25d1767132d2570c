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

KINDS = ("named", "anonymous")


def raw_limits(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    """The limits beneath intake, on a stack of their own (own files or database)."""
    stack = Stack(root, database_url)
    try:
        nats_url = stack.start_nats()
        result: dict[str, Any] = {
            "store_append": raw.store_append(stack.settings, count=sizes.store_count,
                                             seconds=sizes.store_seconds),
            "jetstream": asyncio.run(raw.jetstream_latency(
                nats_url, rate=400, count=sizes.jetstream_count,
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
    as processes; at concurrency 16 a sample of meldingen is followed into triage."""
    stack = Stack(root, database_url)
    runs: list[dict[str, Any]] = []
    try:
        stack.start_nats()
        intake = stack.start_service("intake")
        triage = stack.start_service("triage")
        meldpunt = stack.token("meldpunt")
        follow = propagation and has_route(triage.url, "/api/meldingen/{id}")
        created = 0
        first = 0
        for kind, concurrency, following in _plan(sizes, follow):
            # Each run starts with triage caught up, so that a backlog left by the run
            # before neither takes CPU from this one nor delays what it follows.
            wait_for_queue(triage.url, meldpunt, created, timeout=120)
            spec: dict[str, Any] = {
                "base_url": intake.url, "method": "POST", "paths": ["/api/meldingen"],
                "body": kind, "expect": 201, "concurrency": concurrency,
                "count": sizes.intake_count, "duration": sizes.intake_seconds,
                "warmup": sizes.warmup, "first": first,
            }
            if following:
                spec["probe"] = {"base_url": triage.url, "headers": meldpunt,
                                 "path": "/api/meldingen/{id}", "every": sizes.probe_every,
                                 "interval": sizes.probe_interval, "timeout": 60.0}
            intake.reset_peak_rss()
            cpu = intake.cpu_seconds(), triage.cpu_seconds()
            with Contention(stack) as contention:
                result = load(spec)
                contention.ours_extra = result["loadgen_cpu_s"]
            result.update({
                "kind": kind,
                "following": following,
                "intake_peak_rss_mib": intake.peak_rss_mib(),
                "intake_cpu_s": round(intake.cpu_seconds() - cpu[0], 2),
                "triage_cpu_s": round(triage.cpu_seconds() - cpu[1], 2),
                **contention.figures(),
            })
            runs.append(result)
            created += result["ok"] + result["warmup_ok"]
            first += result["requests"] + sizes.warmup
        in_queue = wait_for_queue(triage.url, meldpunt, created, timeout=120)
        return {"runs": runs, "created": created, "in_triage_queue": in_queue,
                "lost": created - in_queue, "propagation_followed": follow,
                "intake_peak_rss_mib_overall": intake.peak_rss_mib()}
    finally:
        stack.stop()


def _plan(sizes: Sizes, follow: bool) -> list[tuple[str, int, bool]]:
    """(kind, concurrency, following) of each run. Following meldingen into triage
    costs the load generator and triage CPU, so the loaded concurrency runs twice:
    once for intake's figures, once for propagation under the same load."""
    loaded = 16 if 16 in sizes.concurrencies else max(sizes.concurrencies)
    plan = []
    for kind in KINDS:
        for concurrency in sizes.concurrencies:
            plan.append((kind, concurrency, False))
            if follow and concurrency == loaded:
                plan.append((kind, concurrency, True))
    return plan


def has_route(base_url: str, path: str, method: str = "get") -> bool:
    """Whether the service's OpenAPI document lists `method path` (as it is spelled
    there, e.g. `/api/meldingen/{melding_id}`; `{` matches any parameter)."""
    paths = httpx.get(base_url + "/openapi.json", timeout=10).json()["paths"]
    wanted = path.split("{")[0]
    return any(p.split("{")[0] == wanted and p.count("/") == path.count("/") and method in ops
               for p, ops in paths.items())


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
