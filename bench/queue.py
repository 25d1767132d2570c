"""Scenario 4: the meldpunt's queue (`GET /api/meldingen`) with many meldingen in
triage, and the mailbox login at intake (issue 4).

Triage takes the meldingen in through its own consumer from `melding_received`
events on the stream (bench.seed), as it does from intake; intake files the
mailbox's meldingen through its public API.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import sqlalchemy

from bench import queue_fill, raw, seed
from bench.drive import load
from bench.intake import wait_for_queue
from bench.procs import Stack
from bench.sizes import Sizes
from bench.wrk import wrk
from shared.crypto import derive_key

QUERIES = {
    "first page": "/api/meldingen",
    "deep page": "/api/meldingen?offset={middle}&limit=50",
    "status=received": "/api/meldingen?status=received",
    "theme=gifts": "/api/meldingen?theme=gifts",
    "overdue=true": "/api/meldingen?overdue=true",
    "theme+status, page 3": "/api/meldingen?theme=conduct&status=received&offset=100",
}


def queue(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    stack = Stack(root, database_url)
    try:
        stack.start_nats()
        count = sizes.queue_meldingen
        result = _filled(stack, count) if sizes.queue_fill else _taken_in(stack, count)
        triage, meldpunt = stack.processes["triage"], stack.token("meldpunt")
        for name, path in QUERIES.items():
            spec = {"base_url": triage.url, "headers": meldpunt, "concurrency": 1,
                    "paths": [path.format(middle=count // 2)], "warmup": 5,
                    "count": sizes.queue_requests, "duration": 30.0}
            result["queries"][name] = load(spec)
        mixed = {"base_url": triage.url, "headers": meldpunt, "concurrency": 16,
                 "paths": [p.format(middle=count // 2) for p in QUERIES.values()],
                 "warmup": 10, "count": sizes.queue_requests * 4, "duration": 30.0}
        triage.reset_peak_rss()
        cpu = triage.cpu_seconds()
        result["mixed_c16"] = load(mixed)
        # Triage's CPU per page: what others' load on the shared machine changes least.
        result["mixed_c16"]["triage_cpu_ms_per_page"] = round(
            (triage.cpu_seconds() - cpu) / max(result["mixed_c16"].get("requests", 0), 1)
            * 1000, 3)
        result["triage_peak_rss_mib"] = triage.peak_rss_mib()
        # The generator against wrk on the first page, same clients and duration.
        result["crosscheck"] = {
            "loadgen": load({"base_url": triage.url, "headers": meldpunt, "concurrency": 16,
                             "paths": ["/api/meldingen"], "warmup": 50, "count": 10**6,
                             "duration": 10.0}),
            "wrk": wrk(triage.url + "/api/meldingen", meldpunt, clients=16, seconds=10)}
        # A restart with that history: ready (its /readyz) from the stored views.
        stack.stop("triage")
        restarted = time.perf_counter()
        triage = stack.start_service("triage")
        result["triage_restart_ready_s"] = round(time.perf_counter() - restarted, 2)
        result["triage_restart_rss_mib"] = triage.peak_rss_mib()
        return result
    finally:
        stack.stop()


def _taken_in(stack: Stack, count: int) -> dict[str, Any]:
    """Seed the stream and let triage take it in through its consumer, timed."""
    started = time.perf_counter()
    asyncio.run(seed.publish(stack.settings, seed.queue_events(count), sealed=True))
    # The raw limit beneath triage's intake: the same messages read by a bare
    # ordered consumer (no acks, no store).
    raw_read = asyncio.run(raw.stream_read_rate(
        stack.settings, stack.settings.stream, expected=count, seconds=60 + count / 5000))
    seeded = time.perf_counter()
    triage = stack.start_service("triage")
    started_cpu = triage.cpu_seconds()  # its start, before the inbox's first batch
    in_queue = wait_for_queue(triage.url, stack.token("meldpunt"), count,
                              timeout=120 + count / 100)
    consumed = time.perf_counter()
    # Triage's own CPU per melding taken in: on a shared machine, the figure that
    # others' load changes least (the rate above counts their time too).
    consume_cpu = triage.cpu_seconds() - started_cpu
    return {
        # Not lost: still in the stream when the time bound ran out.
        "meldingen": in_queue, "not_taken_in": count - in_queue,
        "seed_publish_s": round(seeded - started, 1),
        "triage_consume_per_s": round(in_queue / (consumed - seeded), 1),
        "triage_consume_cpu_us": round(consume_cpu / max(in_queue, 1) * 1e6, 1),
        "loadavg_consumed": round(os.getloadavg()[0], 1),
        "raw_read": raw_read,
        "queries": {},
    }


def _filled(stack: Stack, count: int) -> dict[str, Any]:
    """Fill triage's queue table before it starts (`bench.queue_fill`): the pages'
    figures at a size the bus takes too long to seed; no backlog figure then."""
    url = stack.settings.database_url_of("triage")
    if not url.startswith("sqlite"):
        raise SystemExit("--queue-fill fills SQLite only")
    started = time.perf_counter()
    engine = sqlalchemy.create_engine(url)
    try:
        queue_fill.fill(engine, count, derive_key(
            stack.settings.keyring_secret_of("triage"), "queue-words"))
    finally:
        engine.dispose()
    filled = time.perf_counter()
    triage = stack.start_service("triage")
    in_queue = wait_for_queue(triage.url, stack.token("meldpunt"), count, timeout=120)
    return {"meldingen": in_queue, "filled_s": round(filled - started, 1),
            "loadavg_consumed": round(os.getloadavg()[0], 1), "queries": {}}


def mailbox_login(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    """Receipts from meldingen filed through intake's API, then logins with them."""
    stack = Stack(root, database_url)
    try:
        stack.start_nats()
        intake = stack.start_service("intake")
        filed = load({"base_url": intake.url, "method": "POST", "paths": ["/api/meldingen"],
                      "body": "anonymous", "expect": 201, "concurrency": 16,
                      "count": sizes.mailbox_receipts, "duration": 120.0,
                      "collect": "receipt"})
        bodies = [{"receipt": receipt} for receipt in filed["collected"]]
        result: dict[str, Any] = {"receipts": len(bodies)}
        for concurrency in (1, 16):
            result[f"c{concurrency}"] = load({
                "base_url": intake.url, "method": "POST", "paths": ["/api/mailbox/login"],
                "bodies": bodies, "concurrency": concurrency, "warmup": sizes.warmup,
                "count": sizes.mailbox_requests // 2, "duration": 30.0})
        return result
    finally:
        stack.stop()
