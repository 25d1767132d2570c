"""How much each scenario does: the full run, and a tiny one for the smoke test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    concurrencies: tuple[int, ...] = (1, 16, 64)
    intake_count: int = 6000  # requests at most per run ...
    intake_seconds: float = 12.0  # ... and seconds at most
    warmup: int = 200
    store_count: int = 5000
    store_seconds: float = 5.0
    propagation_rate: int = 400  # requests/s of the open-loop propagation runs (at c16)
    jetstream_count: int = 4000
    queue_meldingen: int = 100_000
    queue_requests: int = 300
    queue_fill: bool = False  # fill triage's queue table directly (bench.queue_fill)
    console_meldingen: int = 100_000  # in triage behind the console's queue and melding pages
    replay_events: tuple[int, ...] = (100_000, 1_000_000)
    mailbox_receipts: int = 2000
    mailbox_requests: int = 8000  # half at concurrency 1, half at 16
    start_meldingen: tuple[int, ...] = (100_000, 1_000_000)  # history behind each start
    start_settle_seconds: float = 20.0  # after ready: the sweep and the first flushes
    #: The services seeded and started (the stream is always seeded).
    start_services: tuple[str, ...] = ("intake", "triage", "investigation", "reporting",
                                       "console")
    #: A lock file the starts hold, one service at a time, while the seeding (niced, in
    #: its workers) runs without it: other benches measure while this one seeds.
    start_lock: str | None = None
    #: Seed the stream too. Without it only the stores are seeded (each inbox still at
    #: the history's end): the stream's seeding is a third of the CPU at 1,000,000, and a
    #: start reads nothing of the stream before its inbox's position.
    start_stream: bool = True
    #: Copy the console's store from a period of its meldingen (`bench.copies`).
    start_copied: bool = False


FULL = Sizes()
QUICK = Sizes(
    concurrencies=(1, 4), intake_count=40, intake_seconds=5.0, warmup=5, store_count=50,
    store_seconds=2.0, propagation_rate=20, jetstream_count=50, queue_meldingen=300,
    queue_requests=20, console_meldingen=100, replay_events=(2000,), mailbox_receipts=10,
    mailbox_requests=20, start_meldingen=(200,), start_settle_seconds=2.0,
)
