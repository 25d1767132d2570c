"""Scenario `console`: the console's queue page (`GET /queue`, issue 17) with
10,000 meldingen in triage, as a signed-in meldpunt's browser asks for it.

Triage takes the meldingen in through its own consumer (bench.seed); the console
calls triage's API over HTTP as `make run` has it. The meldpunt is added with
`meldingen staff add`, enrols and signs in through the console's own forms (codes
from pyotp); the load generator then sends the session's cookie.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
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

PAGES = {
    "first page": "/queue",
    "deep page": "/queue?page={middle}",
    "status=received": "/queue?status=received",
    "theme=gifts": "/queue?theme=gifts",
    "overdue=true": "/queue?overdue=true",
    "theme+status, page 3": "/queue?theme=conduct&status=received&page=3",
}
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


def console_queue(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    stack = Stack(root, database_url)
    try:
        stack.start_nats()
        count = sizes.console_meldingen
        asyncio.run(seed.publish(stack.settings, seed.queue_events(count)))
        triage = stack.start_service("triage")
        in_queue = wait_for_queue(triage.url, stack.token("meldpunt"), count,
                                  timeout=120 + count / 100)
        console = stack.start_service("console", MELDINGEN_TRIAGE_API_URL=triage.url)
        cookie = signed_in_cookie(stack, console.url)
        result: dict[str, Any] = {"meldingen": in_queue, "not_taken_in": count - in_queue,
                                  "pages": {}}
        middle = max(1, count // 25 // 2)
        for name, path in PAGES.items():
            spec = {"base_url": console.url, "headers": cookie, "concurrency": 1,
                    "paths": [path.format(middle=middle)], "warmup": 5,
                    "count": sizes.queue_requests, "duration": 30.0}
            result["pages"][name] = load(spec)
        mixed = {"base_url": console.url, "headers": cookie, "concurrency": 16,
                 "paths": [p.format(middle=middle) for p in PAGES.values()],
                 "warmup": 10, "count": sizes.queue_requests * 4, "duration": 30.0}
        console.reset_peak_rss()
        started = time.perf_counter()
        result["mixed_c16"] = load(mixed)
        result["mixed_seconds"] = round(time.perf_counter() - started, 1)
        result["console_peak_rss_mib"] = console.peak_rss_mib()
        return result
    finally:
        stack.stop()
