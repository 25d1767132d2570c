"""The auditor's replay's figures side at a given number of meldingen, in process:
the events of `bench.figures_size` counted as a replay counts them, in memory
(`AnnualFigures`, before issue 23's scratch tables) or on scratch tables
(`ScratchFigures`), with the process's peak RSS and the CPU per event. The raw
limit: making the events alone. One way a process, so each peak is its own.

    python -m bench.replay_figures 1000000 scratch|memory"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

from bench.figures_size import events, peak_mib, rss_mib
from services.reporting.adapters.scratch_figures import ScratchFigures
from services.reporting.domain.figures import AnnualFigures


def main(count: int, way: str) -> None:
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    started = time.process_time()
    made = sum(1 for _ in events(count))
    raw = (time.process_time() - started) / made
    gc.collect()
    before = rss_mib()
    with tempfile.TemporaryDirectory() as directory:
        started = time.process_time()
        if way == "memory":
            figures = AnnualFigures()
            for kind, data in events(count):
                figures.apply(kind, data)
            digest = figures.digest()
        else:
            with ScratchFigures(Path(directory)) as scratch:
                for kind, data in events(count):
                    scratch.apply(kind, data)
                digest = scratch.digest()
        cpu = time.process_time() - started
    print(f"{way}: {count:,} meldingen, {made:,} events: {cpu:.1f} s CPU, "
          f"{cpu / made * 1e6:.1f} µs CPU an event (making them alone {raw * 1e6:.1f} µs, "
          f"{cpu / made / raw:.1f}x); RSS before {before:.0f} MiB, peak {peak_mib():.0f} MiB; "
          f"digest {digest[:12]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
         sys.argv[2] if len(sys.argv) > 2 else "scratch")
