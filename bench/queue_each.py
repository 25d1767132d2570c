"""Each queue filter alone at c16, with triage's kept pages on and with none kept
(`MELDINGEN_QUEUE_PAGES_KEPT=0`: every page read from the rows, as the first read
after a write or a cursor asked once is), each beside wrk on the same address (the
raw limit of the same run), and triage's CPU per page (issue 23).

`python -m bench.queue_each --filled FILE`: FILE is a triage SQLite store whose queue
table `bench.queue_fill` filled beforehand (seeding is heavy and not measured: run it
apart, niced); it is copied, so one fill serves every run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.drive import load
from bench.intake import wait_for_queue
from bench.procs import REPO, Process, Stack
from bench.queue import QUERIES
from bench.wrk import wrk

MODES = {"kept": "256", "not-kept": "0"}


def run(filled: Path, count: int, seconds: int, modes: list[str],
        code: Path = REPO) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="meldingen-queue-each-"))
    stack = Stack(root)
    result: dict[str, Any] = {"loadavg_before": os.getloadavg(), "pages": {}}
    try:
        stack.start_nats()
        target = Path(stack.settings.database_url_of("triage").removeprefix("sqlite:///"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(filled, target)
        headers = stack.token("meldpunt")
        for mode in modes:
            triage = stack.start_service("triage", code,
                                         MELDINGEN_QUEUE_PAGES_KEPT=MODES[mode])
            wait_for_queue(triage.url, headers, count, timeout=120)
            paths = {name: path.format(middle=count // 2) for name, path in QUERIES.items()}
            paths["cursor at the middle"] = _cursor_path(triage.url, headers, count)
            result["pages"][mode] = {name: _each(triage, headers, path, seconds)
                                     for name, path in paths.items()}
            stack.stop("triage")
        result["loadavg_after"] = os.getloadavg()
        return result
    finally:
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)


def _cursor_path(url: str, headers: dict[str, str], count: int) -> str:
    """The page after the middle one, by its cursor: each cursor is asked once in use,
    so it is never a kept page there."""
    middle = httpx.get(f"{url}/api/meldingen?offset={count // 2}", headers=headers,
                       timeout=60).json()
    return f"/api/meldingen?cursor={middle['next_cursor']}"


def _each(triage: Process, headers: dict[str, str], path: str, seconds: int
          ) -> dict[str, Any]:
    cpu = triage.cpu_seconds()
    measured = load({"base_url": triage.url, "headers": headers, "concurrency": 16,
                     "paths": [path], "warmup": 16, "count": 10**6,
                     "duration": float(seconds)})
    measured["triage_cpu_ms_per_page"] = round(
        (triage.cpu_seconds() - cpu) / max(measured.get("requests", 0), 1) * 1000, 3)
    measured["wrk"] = wrk(triage.url + path, headers, clients=16, seconds=seconds)
    return measured


def table(result: dict[str, Any]) -> str:
    lines = ["| query, c16 | pages | p99 (p50) ms | pages/s | triage CPU a page | "
             "wrk p99 (p50) ms, pages/s |", "|---|---|---|---|---|---|"]
    for mode, pages in result["pages"].items():
        for name, m in pages.items():
            w, lat = m["wrk"], m["latency"]
            lines.append(f"| {name} | {mode} | {lat['p99_ms']} ({lat['p50_ms']}) | "
                         f"{m.get('throughput_per_s')} | {m['triage_cpu_ms_per_page']} ms | "
                         f"{w.get('p99_ms')} ({w.get('p50_ms')}), {w.get('throughput_per_s')}"
                         f"{' ' + w['error'] if 'error' in w else ''} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queue_each", description=__doc__)
    parser.add_argument("--filled", type=Path, required=True)
    parser.add_argument("--meldingen", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--modes", type=lambda v: v.split(","), default=list(MODES),
                        help="kept, not-kept or both (comma-separated)")
    parser.add_argument("--code", type=Path, default=REPO,
                        help="another checkout's code for triage (a before in one run)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args.filled, args.meldingen, args.seconds, args.modes, args.code)
    print(table(result))
    print(f"load average before {result['loadavg_before']}, after {result['loadavg_after']}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
