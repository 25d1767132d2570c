"""Triage's melding read alone (issue 23): `GET /api/meldingen/{id}/page` and
`GET /api/meldingen/{id}` at c16 against triage with `count` meldingen taken in through
its consumer, triage's CPU per read, and beside them in the same run the raw limit:
triage's `/healthz` at c16.
`python -m bench.melding_read ROOT COUNT BEFORE [PROFILE_SECONDS]` prints JSON for triage
run from the checkout BEFORE (e.g. `git archive main`) and from this one, twice each,
alternated; with PROFILE_SECONDS, py-spy (`PY_SPY`) records triage under the page's load."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from bench import seed
from bench.drive import load
from bench.intake import wait_for_queue
from bench.procs import REPO, Process, Stack

PY_SPY = os.environ.get("PY_SPY", "py-spy")


def _measured(triage: Process, spec: dict[str, Any]) -> dict[str, Any]:
    before = triage.cpu_seconds()
    run = load(spec)
    run["triage_cpu_ms_per_read"] = round(
        (triage.cpu_seconds() - before) / max(run["ok"], 1) * 1000, 2)
    return run


def _ids(count: int, shift: int) -> list[str]:
    """16 meldingen spread over the seeded ones (bench.seed: every third anonymous)."""
    return [str(uuid.UUID(int=n * count // 16 + 1 + shift)) for n in range(16)]


def _reads(stack: Stack, triage: Process, ids: list[str], profile: Path,
           profile_s: int) -> dict[str, Any]:
    meldpunt = stack.token("meldpunt")

    def spec(paths: list[str], n: int = 1200) -> dict[str, Any]:
        return {"base_url": triage.url, "headers": meldpunt, "concurrency": 16,
                "paths": paths, "warmup": 80, "count": n, "duration": 30.0}

    result: dict[str, Any] = {}
    result["raw_healthz_c16"] = _measured(triage, spec(["/healthz"], 3000))
    result["page_c16"] = _measured(triage, spec([f"/api/meldingen/{i}/page" for i in ids]))
    result["melding_c16"] = _measured(triage, spec([f"/api/meldingen/{i}" for i in ids]))
    if profile_s:
        spy = threading.Thread(target=subprocess.run, args=([
            PY_SPY, "record", "-p", str(triage.pid), "-d", str(profile_s), "-r", "100",
            "--format", "raw", "-o", str(profile)],), kwargs={"check": False})
        spy.start()
        result["page_c16_profiled"] = _measured(
            triage, spec([f"/api/meldingen/{i}/page" for i in ids], 100_000)
            | {"duration": float(profile_s)})
        spy.join()
    return result


def melding_read(root: Path, count: int, before: Path, profile_s: int = 0) -> dict[str, Any]:
    stack = Stack(root, None)
    try:
        stack.start_nats()
        asyncio.run(seed.publish(stack.settings, seed.queue_events(count)))
        first = stack.start_service("triage", code=before)
        result_in = wait_for_queue(first.url, stack.token("meldpunt"), count,
                                   timeout=120 + count / 100)
        stack.stop("triage")
        result: dict[str, Any] = {"meldingen": result_in,
                                  "loadavg": Path("/proc/loadavg").read_text().strip()}
        # Triage as `before` (another checkout's code) has it, then as this one: one run,
        # on the same store; each reads meldingen of its own, as many of them named.
        for shift, (mode, code) in enumerate([("before", before), ("after", REPO)] * 2):
            triage = stack.start_service("triage", code=code)
            result[f"{mode}_{shift // 2 + 1}"] = _reads(
                stack, triage, _ids(count, 3 * shift), root / f"{mode}_{shift}.txt",
                profile_s if shift < 2 else 0)
            stack.stop("triage")
        result["loadavg_end"] = Path("/proc/loadavg").read_text().strip()
        return result
    finally:
        stack.stop()


if __name__ == "__main__":
    print(json.dumps(melding_read(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]),
                                  int(sys.argv[4]) if len(sys.argv) > 4 else 0), indent=1))
    os._exit(0)
