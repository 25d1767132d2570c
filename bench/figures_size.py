"""Reporting's figures at a given number of meldingen, in process: fed through the live
figures' tables in a SQLite store in batches as the inbox's (each batch's rows and
counts written in one transaction), the memory the process holds, the CPU per event,
and a start from those tables as the service does (issue 23: <= 300 MiB at 1M).

    python -m bench.figures_size 1000000

Each melding is received, acknowledged a day later, and every second one closed a
month later: the per-melding state reporting keeps a row of for each."""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy

from services.reporting.adapters.figure_tables import FigureTables
from services.reporting.domain.figures import CHANNELS, KINDS, THEMES
from services.reporting.views import Counted, LiveFigures

BATCH = 500  # the reporting inbox's


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def events(count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    start = datetime(2024, 1, 2, tzinfo=UTC)
    for number in range(count):
        melding_id, at = str(uuid.uuid4()), start + timedelta(minutes=number)
        yield "melding_received", {
            "melding_id": melding_id, "received_at": at.isoformat(),
            "acknowledged_at": (at + timedelta(days=1)).isoformat(),
            "theme": THEMES[number % len(THEMES)], "kind": KINDS[number % len(KINDS)],
            "channel": CHANNELS[number % len(CHANNELS)]}
        if number % 2:
            yield "melding_closed", {"melding_id": melding_id, "reason": "completed",
                                     "at": (at + timedelta(days=30)).isoformat()}


def fed(live: LiveFigures, engine: sqlalchemy.Engine, count: int) -> int:
    position, batch = 0, list[Counted]()
    for event in events(count):
        batch.append(event)
        if len(batch) == BATCH:
            position += len(batch)
            with live.batch(position, batch) as write, engine.begin() as connection:
                write(connection)
            batch = []
    if batch:
        position += len(batch)
        with live.batch(position, batch) as write, engine.begin() as connection:
            write(connection)
    return position


def main(count: int) -> None:
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    with tempfile.TemporaryDirectory() as directory:
        engine = sqlalchemy.create_engine(f"sqlite:///{directory}/figures.sqlite")
        live = LiveFigures(FigureTables(engine))
        counts0 = live.tables.load(0)
        assert counts0 is not None
        live.started(counts0)
        before = rss_mib()
        started, wall = time.process_time(), time.perf_counter()
        position = fed(live, engine, count)
        fed_cpu, fed_wall = time.process_time() - started, time.perf_counter() - wall
        gc.collect()
        print(f"{count:,} meldingen, {position:,} events in batches of {BATCH}: "
              f"{fed_cpu:.1f} s CPU, {fed_cpu / position * 1e6:.1f} µs CPU an event, "
              f"{position / fed_wall:,.0f} events/s; RSS {before:.0f} -> {rss_mib():.0f} MiB, "
              f"peak {peak_mib():.0f} MiB")
        size = Path(f"{directory}/figures.sqlite").stat().st_size
        print(f"store: {size / 2**20:.1f} MiB ({size / count:.0f} B a melding)")
        del live
        gc.collect()
        started = time.process_time()
        restarted = LiveFigures(FigureTables(engine))
        counts = restarted.tables.load(position)
        assert counts is not None
        restarted.started(counts)
        start_cpu = time.process_time() - started
        started = time.process_time()
        figures = restarted.figures(2024)
        year_cpu = time.process_time() - started
        print(f"start: {start_cpu:.3f} s CPU; figures(2024) {year_cpu:.2f} s CPU "
              f"(open at year end {figures['open_at_year_end']['total']:,}); "
              f"RSS {rss_mib():.0f} MiB, peak {peak_mib():.0f} MiB")
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
