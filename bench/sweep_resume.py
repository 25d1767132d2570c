"""The background damage sweep at a restart, in process, on triage's store: the CPU a
start's sweep takes reading the whole store (what every start did before the sweep
kept its position) against a resumed one (only the events since), beside the raw
ordered read of the same notifications, undecoded (issue 23).

    python -m bench.sweep_resume 20000 [postgresql+psycopg://...]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from eventsourcing.persistence import Tracking

from bench import seed
from services.triage.bootstrap import build_application
from shared.config import Settings
from shared.recorders import all_notifications

BATCH = 1000


def cpu(work: object) -> tuple[float, int]:
    """Process CPU seconds of `work()` and the events it says it read."""
    started = time.process_time()
    read = work()  # type: ignore[operator]
    return time.process_time() - started, int(read)


def main(count: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(var_dir=Path(directory), database_url=database_url)
        app = build_application(settings)
        app.keep_damage_register()
        try:
            for batch in range(0, count, BATCH):
                meldingen = range(batch, min(batch + BATCH, count))
                app.process_batch([seed.received(n) for n in meldingen],
                                  Tracking(settings.stream, batch + 1))
            ledger = app.damage.ledger
            assert ledger is not None
            raw, events = cpu(lambda: sum(1 for _ in all_notifications(app.recorder)))

            def sweep(**kwargs: object) -> int:
                read = [0]

                def stopping() -> bool:
                    read[0] += 1
                    return False
                app.sweep(stopping=stopping, **kwargs)  # type: ignore[arg-type]
                return read[0]

            whole, whole_read = cpu(lambda: sweep(again_after=0))  # as every start did
            resumed, resumed_read = cpu(sweep)  # a restart after it
        finally:
            app.close()
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{count:,} meldingen, {events:,} events ({'postgres' if database_url else 'sqlite'}"
          f"), load {' '.join(load)}, pid {os.getpid()}")
    print(f"raw ordered read: {raw:.2f} s CPU, {raw / events * 1e6:.1f} µs an event")
    print(f"whole sweep (every start before): {whole:.2f} s CPU, {whole_read:,} events, "
          f"{whole / events * 1e6:.1f} µs an event, {whole / raw:.1f}x the raw read")
    print(f"resumed sweep (a restart now): {resumed:.3f} s CPU, {resumed_read:,} events")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
         sys.argv[2] if len(sys.argv) > 2 else None)
