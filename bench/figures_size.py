"""Reporting's kept figures at a given number of meldingen, in process: the memory
`AnnualFigures` holds for them, the kept row's size, and the CPU to keep it in a
SQLite store and to read it back, as a start does (issue 23: <= 300 MiB at 1M).

    python -m bench.figures_size 1000000

Each melding is received, acknowledged a day later, and every second one closed a
month later: the per-melding state a running reporting holds for each."""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import sqlalchemy

from services.reporting.adapters.stored_figures import StoredFigures
from services.reporting.domain.figures import CHANNELS, KINDS, THEMES, AnnualFigures


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fed(count: int) -> AnnualFigures:
    figures = AnnualFigures()
    start = datetime(2024, 1, 2, tzinfo=UTC)
    for number in range(count):
        melding_id, at = str(uuid.uuid4()), start + timedelta(minutes=number)
        figures.apply("melding_received", {
            "melding_id": melding_id, "received_at": at.isoformat(),
            "acknowledged_at": (at + timedelta(days=1)).isoformat(),
            "theme": THEMES[number % len(THEMES)], "kind": KINDS[number % len(KINDS)],
            "channel": CHANNELS[number % len(CHANNELS)]})
        if number % 2:
            figures.apply("melding_closed", {"melding_id": melding_id, "reason": "completed",
                                             "at": (at + timedelta(days=30)).isoformat()})
    return figures


def main(count: int) -> None:
    before = rss_mib()
    started = time.process_time()
    figures = fed(count)
    fed_cpu = time.process_time() - started
    gc.collect()
    held = rss_mib() - before
    print(f"{count:,} meldingen: fed in {fed_cpu:.2f} s CPU; held {held:.1f} MiB "
          f"({held * 2**20 / count:.0f} B per melding)")
    with tempfile.TemporaryDirectory() as directory:
        engine = sqlalchemy.create_engine(f"sqlite:///{directory}/figures.sqlite")
        stored = StoredFigures(engine)
        started = time.process_time()
        state = orjson.dumps(figures.state())
        stored.keep(count, state)
        kept_cpu = time.process_time() - started
        with engine.connect() as connection:
            row = connection.execute(sqlalchemy.text(
                "select length(state) from reporting_figures")).scalar_one()
        print(f"kept: {len(state) / 2**20:.1f} MiB of JSON, a row of {row / 2**20:.1f} MiB, "
              f"{kept_cpu:.2f} s CPU; peak RSS so far {peak_mib():.0f} MiB")
        del figures, state
        gc.collect()
        started = time.process_time()
        loaded = stored.load(count)
        load_cpu = time.process_time() - started
        assert loaded is not None
        print(f"read back: {load_cpu:.2f} s CPU; RSS {rss_mib():.0f} MiB after, "
              f"peak {peak_mib():.0f} MiB")
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
