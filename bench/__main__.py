"""`python -m bench [scenario...]` (what `meldingen bench` and `make bench` run).

Scenarios: intake, propagation, queue, mailbox, replay, console, attachments, start
(default: all). Each runs on
the embedded default (SQLite) and on PostgreSQL when reachable, prints its tables
and writes bench/results/latest.json (and a copy named by the run's time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import attachments, console_queue, intake, queue, replay, start
from bench.databases import postgres_reachable, scratch_database
from bench.procs import REPO
from bench.report import render
from bench.sizes import FULL, QUICK, Sizes
from bench.targets import checks

SCENARIOS = ("intake", "propagation", "queue", "mailbox", "replay", "console", "attachments",
             "start")
RESULTS = REPO / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="meldingen bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], default=[],
                        metavar="scenario", help=", ".join(SCENARIOS))
    parser.add_argument("--db", choices=["sqlite", "postgres"], action="append",
                        help="stores to run on (default: sqlite, and postgres if reachable)")
    parser.add_argument("--quick", action="store_true", help="tiny counts (the smoke test)")
    parser.add_argument("--replay-events", type=int, action="append",
                        help="replay sizes (default 100,000 and 1,000,000)")
    parser.add_argument("--queue-meldingen", type=int,
                        help="meldingen in triage for the queue scenario (default 100,000)")
    parser.add_argument("--start-meldingen", type=int, action="append",
                        help="history behind each start (default 100,000 and 1,000,000)")
    parser.add_argument("--start-services", type=lambda v: tuple(v.split(",")),
                        help="services the start scenario seeds and starts, comma-"
                             "separated (default all; the stream is always seeded)")
    parser.add_argument("--start-lock", metavar="PATH",
                        help="a lock file (flock) the starts hold, not the seeding: run "
                             "the start scenario without an outer flock")
    parser.add_argument("--start-without-stream", action="store_true",
                        help="seed the services' stores only, not the stream")
    parser.add_argument("--start-copied", action="store_true",
                        help="copy the console's store from a period of its meldingen")
    parser.add_argument("--queue-fill", action="store_true",
                        help="fill triage's queue table directly, not through the bus "
                             "(SQLite; for 1,000,000: no backlog figure then)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--keep", action="store_true", help="keep the runs' var dirs")
    parser.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"],
                        help="SQLite's synchronous pragma for this run (default: the setting's)")
    args = parser.parse_args(argv)
    if args.sqlite_synchronous:
        os.environ["MELDINGEN_SQLITE_SYNCHRONOUS"] = args.sqlite_synchronous
    scenarios = args.scenarios or list(SCENARIOS)
    sizes = QUICK if args.quick else FULL
    if args.replay_events:
        sizes = Sizes(**{**sizes.__dict__, "replay_events": tuple(args.replay_events)})
    if args.queue_meldingen:
        sizes = Sizes(**{**sizes.__dict__, "queue_meldingen": args.queue_meldingen})
    if args.start_meldingen:
        sizes = Sizes(**{**sizes.__dict__, "start_meldingen": tuple(args.start_meldingen)})
    if args.start_services:
        sizes = Sizes(**{**sizes.__dict__, "start_services": args.start_services})
    if args.start_lock:
        sizes = Sizes(**{**sizes.__dict__, "start_lock": args.start_lock})
    if args.start_without_stream:
        sizes = Sizes(**{**sizes.__dict__, "start_stream": False})
    if args.start_copied:
        sizes = Sizes(**{**sizes.__dict__, "start_copied": True})
    if args.queue_fill:
        sizes = Sizes(**{**sizes.__dict__, "queue_fill": True})
    databases = args.db or (["sqlite", "postgres"] if postgres_reachable() else ["sqlite"])
    results = run(scenarios, databases, sizes, keep=args.keep)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str))
    args.out.with_suffix(".md").write_text(markdown(results))
    stamp = results["meta"]["started"].replace(":", "").replace("-", "")[:15]
    shutil.copy(args.out, args.out.parent / f"run-{stamp}.json")
    print(f"\nresults: {args.out}")
    return 0


def run(scenarios: list[str], databases: list[str], sizes: Sizes, *,
        keep: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {"meta": meta(sizes, scenarios), "databases": {}}
    base = Path(tempfile.mkdtemp(prefix="meldingen-bench-"))
    try:
        for name in databases:
            db: dict[str, Any] = {}
            results["databases"][name] = db
            root = base / name
            with scratch_database(name) as url, scratch_database(name) as raw_url:
                if "intake" in scenarios or "propagation" in scenarios:
                    only_propagation = "intake" not in scenarios
                    chosen = Sizes(**{**sizes.__dict__, "concurrencies": (16,)}) \
                        if only_propagation else sizes
                    db["raw"] = intake.raw_limits(root / "raw", raw_url, chosen)
                    db["intake"] = intake.intake_runs(root / "intake", url, chosen,
                                                      propagation="propagation" in scenarios)
            for scenario, function in (("queue", queue.queue), ("mailbox", queue.mailbox_login),
                                       ("replay", replay.replay),
                                       ("console", console_queue.console_queue),
                                       ("attachments", attachments.attachments),
                                       ("start", start.start)):
                if scenario in scenarios:
                    with scratch_database(name) as url:
                        db[scenario] = function(root / scenario, url, sizes)
            db["checks"] = checks(db)
            print(render(name, db), flush=True)
    finally:
        if keep:
            print(f"var dirs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    results["meta"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["meta"]["loadavg_after"] = os.getloadavg()
    return results


def markdown(results: dict[str, Any]) -> str:
    """The run's tables as docs/performance.md keeps them."""
    meta = results["meta"]
    head = (f"Run {meta['started']} at commit {meta['commit']}"
            f"{' (with uncommitted changes)' if meta['tree_changed'] else ''}, "
            f"{meta['cpus']} cores, load average {meta['loadavg_before'][0]:.1f} before, "
            f"SQLite synchronous={meta['sqlite_synchronous']}.")
    return "\n\n".join([head, *(render(name, db) for name, db in results["databases"].items())])


def meta(sizes: Sizes, scenarios: list[str]) -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False)
        return done.stdout.strip()

    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "tree_changed": bool(git("status", "--porcelain", "--", "shared", "services")),
        "scenarios": scenarios, "sizes": sizes.__dict__,
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "sqlite_synchronous": os.environ.get("MELDINGEN_SQLITE_SYNCHRONOUS", "FULL"),
        "loadavg_before": os.getloadavg(), "monotonic_start": time.monotonic(),
    }


if __name__ == "__main__":
    sys.exit(main())
