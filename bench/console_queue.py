"""Scenario `console`: the console's queue page (`GET /queue`, issue 17) and melding
page (`GET /meldingen/{id}`) with 100,000 meldingen in triage (issue 23), as a
signed-in meldpunt's browser asks for them, at c1 and c16.

Beside each figure, in the same run, its raw limits: triage's API for the same page
fetched directly (what the console cannot be faster than), and the console's bare
signed-in page `/account` (session lookup and rendering, no call to a service).

Triage takes the meldingen in through its own consumer (bench.seed); the console
calls triage's API over HTTP as `make run` has it. The meldpunt is added with
`meldingen staff add`, enrols and signs in through the console's own forms (codes
from pyotp); the load generator then sends the session's cookie.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp

from bench import seed
from bench.drive import load
from bench.intake import wait_for_queue
from bench.procs import REPO, Stack
from bench.sizes import Sizes
from shared.config import Settings
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN

PAGES = {
    "first page": "/queue",
    "deep page": "/queue?page={middle}",
    "status=received": "/queue?status=received",
    "theme=gifts": "/queue?theme=gifts",
    "overdue=true": "/queue?overdue=true",
    "theme+status, page 3": "/queue?theme=conduct&status=received&page=3",
}
#: The console's queue page -> triage's page of 25 it asks for.
TRIAGE_PAGES = {
    "first page": "/api/meldingen?offset=0&limit=25",
    "deep page": "/api/meldingen?offset={deep}&limit=25",
    "status=received": "/api/meldingen?status=received&offset=0&limit=25",
    "theme=gifts": "/api/meldingen?theme=gifts&offset=0&limit=25",
    "overdue=true": "/api/meldingen?overdue=true&offset=0&limit=25",
    "theme+status, page 3": "/api/meldingen?theme=conduct&status=received&offset=50&limit=25",
}
#: Meldingen spread over the seeded ones, for the melding page.
SPREAD = 16
BARE = "/account"
PASSWORD = "paard batterij nietje correct"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


def signed_in_cookie(stack: Stack, console_url: str) -> dict[str, str]:
    """The meldpunt's session cookie, through the enrolment and sign-in forms."""
    added = subprocess.run(
        [sys.executable, "-m", "shared.cli", "staff", "add", "--sub", "bench", "--name",
         "Bench", "--email", "bench@example.org", "--role", "meldpunt"],
        env=stack.env(MELDINGEN_CONSOLE_URL=console_url), cwd=REPO, capture_output=True,
        text=True, timeout=60, check=True)
    link = added.stdout.strip().splitlines()[-1]
    origin = {"origin": console_url}
    with httpx.Client(base_url=console_url, timeout=30) as client:
        page = client.get(link).text
        found = re.search(r'id="totp-secret">([^<]+)<', page)
        assert found, "no authenticator secret on the enrolment page"
        totp = pyotp.TOTP(found.group(1).replace(" ", ""))
        now = datetime.now(UTC)
        # The previous step's code for the enrolment, this one's for the sign-in: a
        # code is accepted once.
        client.post(link, data={"csrf": _csrf(page), "password": PASSWORD,
                                "code": totp.at(now - timedelta(seconds=30))},
                    headers=origin).raise_for_status()
        page = client.get("/signin").text
        client.post("/signin", data={"csrf": _csrf(page), "login": "bench",
                                     "password": PASSWORD}, headers=origin)
        page = client.get("/signin/code").text
        answer = client.post("/signin/code", data={"csrf": _csrf(page), "code": totp.at(now)},
                             headers=origin)
        assert answer.status_code == 303, answer.text
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"Cookie": cookie}


async def consumers_caught_up(settings: Settings, timeout: float) -> float:
    """Seconds until every durable consumer on the stream has taken in all it holds.
    The console reacts to each melding_received too (its notices and feedback
    terms): measured before it has taken in the seeded backlog, its pages share
    its process with that work."""
    started = time.perf_counter()
    nc = await connect(settings, "bench-console", user=ADMIN)
    try:
        js = nc.jetstream()
        while time.perf_counter() - started < timeout:
            consumers = await js.consumers_info(settings.stream)
            if not any(c.num_pending or c.num_ack_pending for c in consumers
                       if c.config.durable_name):
                break
            await asyncio.sleep(1.0)
    finally:
        await nc.close()
    return round(time.perf_counter() - started, 1)


def melding_ids(count: int) -> list[str]:
    """`SPREAD` meldingen across the seeded ones (bench.seed numbers them from 1)."""
    return [str(uuid.UUID(int=n * count // SPREAD + 1)) for n in range(SPREAD)]


def _spec(url: str, headers: dict[str, str], paths: list[str], concurrency: int,
          count: int) -> dict[str, Any]:
    return {"base_url": url, "headers": headers, "concurrency": concurrency, "paths": paths,
            "warmup": 5 * concurrency, "count": count, "duration": 30.0}


def console_queue(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    stack = Stack(root, database_url)
    try:
        stack.start_nats()
        count = sizes.console_meldingen
        asyncio.run(seed.publish(stack.settings, seed.queue_events(count)))
        triage = stack.start_service("triage")
        meldpunt = stack.token("meldpunt")
        in_queue = wait_for_queue(triage.url, meldpunt, count, timeout=120 + count / 100)
        # Intake too, as `make run` has it: the melding page asks it for a record.
        intake = stack.start_service("intake")
        console = stack.start_service("console", MELDINGEN_TRIAGE_API_URL=triage.url,
                                      MELDINGEN_INTAKE_API_URL=intake.url)
        cookie = signed_in_cookie(stack, console.url)
        caught_up_s = asyncio.run(consumers_caught_up(stack.settings, 120 + count / 100))
        n = sizes.queue_requests
        middle = max(1, count // 25 // 2)
        queue_pages = [p.format(middle=middle) for p in PAGES.values()]
        triage_pages = [p.format(deep=(middle - 1) * 25) for p in TRIAGE_PAGES.values()]
        ids = melding_ids(in_queue)
        melding_pages = [f"/meldingen/{i}" for i in ids]
        result: dict[str, Any] = {"meldingen": in_queue, "not_taken_in": count - in_queue,
                                  "console_caught_up_s": caught_up_s,
                                  "loadavg_start": round(os.getloadavg()[0], 1),
                                  "pages": {}, "melding": {}, "raw": {}}
        for name, path in zip(PAGES, queue_pages, strict=True):
            result["pages"][name] = load(_spec(console.url, cookie, [path], 1, n))
        console.reset_peak_rss()
        started = time.perf_counter()
        result["mixed_c16"] = load(_spec(console.url, cookie, queue_pages, 16, n * 4))
        result["mixed_seconds"] = round(time.perf_counter() - started, 1)
        for concurrency in (1, 16):
            key = f"c{concurrency}"
            # CPU per page of each process: on a shared machine, what others' load
            # changes least, and which side of the call the time is spent on.
            before = console.cpu_seconds(), triage.cpu_seconds(), intake.cpu_seconds()
            run = load(_spec(console.url, cookie, melding_pages, concurrency,
                             n * (4 if concurrency > 1 else 1)))
            used = (console.cpu_seconds(), triage.cpu_seconds(), intake.cpu_seconds())
            run["cpu_ms_per_page"] = {
                name: round((after - was) / max(run["ok"], 1) * 1000, 2)
                for name, was, after in zip(("console", "triage", "intake"), before, used,
                                            strict=True)}
            result["melding"][key] = run
            # The raw limits, each right after the figure it is beside.
            result["raw"][f"triage_queue_{key}"] = load(_spec(
                triage.url, meldpunt, triage_pages, concurrency, n * 4))
            result["raw"][f"triage_melding_{key}"] = load(_spec(
                triage.url, meldpunt, [f"/api/meldingen/{i}" for i in ids], concurrency,
                n * 4))
            result["raw"][f"bare_{key}"] = load(_spec(console.url, cookie, [BARE],
                                                      concurrency, n * 4))
        result["console_peak_rss_mib"] = console.peak_rss_mib()
        result["loadavg_end"] = round(os.getloadavg()[0], 1)
        return result
    finally:
        stack.stop()
