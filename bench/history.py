"""Years of history for the start scenario, written fast: the stream as the relays
would have filled it (bench.seed), and each service's own store as its inbox would
have left it, by the same policies (`process_batch`) in batches of thousands per
transaction with the stream's positions as tracking. Intake's store gets its meldingen
by `draft_report` (sealed, receipts and all) saved a batch at a time. Each service's
outbox is then chained to its end without publishing (its events are in the stream
already), so that a start has nothing new to take in or to send."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from eventsourcing.persistence import Tracking

from bench import seed
from bench.payloads import THEMES
from shared.config import Settings
from shared.contracts import (
    FinalReportIssued,
    IntegrationEvent,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingReceived,
)
from shared.messaging.nats import open_stream
from shared.messaging.outbox import OutboxRelay
from shared.messaging.permissions import ADMIN
from shared.recorders import InboxTracking

#: Where a melding's history stops, by n % 20: 5 % only received, 55 % assessed,
#: 15 % decided, 10 % investigated (final report), 15 % closed.
STOPS: tuple[type[IntegrationEvent], ...] = (
    (MeldingReceived,) + (MeldingAssessed,) * 11 + (MeldingDecided,) * 3
    + (FinalReportIssued,) * 2 + (MeldingClosed,) * 3)
#: The services whose store is seeded through their policies. Intake's own meldingen
#: come first (`seed_intake`); then it takes in triage's messages, so that its start
#: too has nothing left on the stream to take in (without it, the start's settle
#: window measured intake taking in the whole stream's triage messages).
CONSUMERS = ("intake", "triage", "investigation", "reporting", "console")
BATCH = 5000
#: The seeding's jobs, longest first: the stream (then intake's store), and each
#: other service's store.
JOBS = ("stream", "console", "triage", "investigation", "reporting")
WORKERS = 2


def melding_history(n: int) -> Iterator[tuple[str, IntegrationEvent]]:
    """The n-th melding's procedure, cut where its melding has got to."""
    stop = STOPS[n % len(STOPS)]
    for source, event in seed.procedure(n):
        yield source, event
        if isinstance(event, stop):
            return


def history(meldingen: int) -> Iterator[tuple[str, IntegrationEvent]]:
    return itertools.chain.from_iterable(melding_history(n) for n in range(meldingen))


def periodic(meldingen: int, period: int) -> Iterator[tuple[str, IntegrationEvent]]:
    """A history whose n-th melding goes as the (n % period)-th of `history`, with
    its own id: what `bench.copies` copies a period of."""
    for n in range(meldingen):
        melding_id = str(uuid.UUID(int=n + 1))
        for source, event in melding_history(n % period):
            yield source, (event.model_copy(update={"melding_id": melding_id})
                           if hasattr(event, "melding_id") else event)


def counted(meldingen: int) -> tuple[int, dict[str, int]]:
    """The stream's length after `history(meldingen)` and each source's last position,
    from one cycle of `STOPS` (each has the same events) and the rest."""
    cycles, rest = divmod(meldingen, len(STOPS))
    per_cycle = Counter(source for source, _ in history(len(STOPS)))
    tail = Counter(source for source, _ in history(rest))
    positions = {source: cycles * per_cycle[source] + tail[source] for source in per_cycle}
    return sum(positions.values()), {s: p for s, p in positions.items() if p}


def numbered(meldingen: int, made: Iterator[tuple[str, IntegrationEvent]] | None = None
             ) -> Iterator[tuple[int, str, int, IntegrationEvent]]:
    """(stream sequence, source, source position, event), as `seed.publish` numbers
    them on a fresh stream (`made`: another history than `history(meldingen)`)."""
    positions: dict[str, int] = {}
    for sequence, (source, event) in enumerate(made or history(meldingen), start=1):
        positions[source] = positions.get(source, 0) + 1
        yield sequence, source, positions[source], event


def seed_all(settings: Settings, meldingen: int, workers: int = WORKERS,
             services: tuple[str, ...] = CONSUMERS, *, stream: bool = True,
             copied: bool = False) -> dict[str, Any]:
    """The stream and the stores of `services` (default every one), in `workers`
    processes at once: the stores are independent of each other and of the stream
    (each service's keys are its own), so only intake's store, which the stream's
    sealing writes keys into too, is seeded in the stream's process, after it. Forked,
    so each worker has the imports already. Without `stream`, intake's store is a job
    of its own and the stream stays empty. `copied`: the console's store copied from
    a period of its meldingen (`bench.copies`), of the `periodic` history."""
    unknown = set(services) - set(CONSUMERS)
    if unknown:
        raise ValueError(f"no such service to seed: {', '.join(sorted(unknown))}")
    began = time.perf_counter()
    seeding: dict[str, Any] = {"workers": workers, "services": list(services)}
    context = multiprocessing.get_context("fork")
    with_intake = "intake" in services
    names = [name for name in JOBS if name in services or (name == "stream" and stream)]
    if with_intake and not stream:
        names.insert(0, "intake")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [pool.submit(_seed_job, settings, name, meldingen, with_intake, copied)
                for name in names]
        for job in jobs:
            seeding.update(job.result())
    seeding["total_s"] = round(time.perf_counter() - began, 1)
    return seeding


def _seed_job(settings: Settings, name: str, meldingen: int, with_intake: bool,
              copied: bool) -> dict[str, Any]:
    """One job in its worker, with the worker's CPU seconds for it (`cpu_s`). Niced,
    so that a bench measuring beside it is not slowed; and with eventsourcing's
    aggregate cache, as the worker is its store's only writer: the console's policies
    read back each term and routing they just wrote (a quarter of its CPU)."""
    os.nice(19)
    os.environ.update({"AGGREGATE_CACHE_MAXSIZE": "100000",
                       "AGGREGATE_CACHE_FASTFORWARD": "n",
                       "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"})
    cpu = time.process_time()
    if name == "console" and copied:
        from bench import copies
        done: dict[str, Any] = {name: copies.seed_console(settings, meldingen)}
    else:
        done = _seed_one(settings, name, meldingen, with_intake)
    done[f"{name}_cpu_s"] = round(time.process_time() - cpu, 1)
    return done


def _seed_one(settings: Settings, name: str, meldingen: int,
              with_intake: bool) -> dict[str, Any]:
    if name == "intake":
        return _seed_intake_store(settings, meldingen)
    if name != "stream":
        return {name: seed_consumer(settings, name, meldingen)}
    began, cpu = time.perf_counter(), time.process_time()
    done: dict[str, Any] = {"stream_events": seed_stream(settings, meldingen),
                            "stream_s": round(time.perf_counter() - began, 1),
                            "stream_only_cpu_s": round(time.process_time() - cpu, 1)}
    if with_intake:
        done.update(_seed_intake_store(settings, meldingen))
    return done


def _seed_intake_store(settings: Settings, meldingen: int) -> dict[str, Any]:
    cpu = time.process_time()
    done: dict[str, Any] = {"intake": seed_intake(settings, meldingen)}
    done["intake"]["cpu_s"] = round(time.process_time() - cpu, 1)
    done["intake_inbox"] = seed_consumer(settings, "intake", meldingen)
    return done


def seed_stream(settings: Settings, meldingen: int) -> int:
    return asyncio.run(seed.publish(settings, history(meldingen), sealed=True))


def stream_messages(settings: Settings) -> int:
    async def count() -> int:
        nc, js = await open_stream(settings, "bench-count", user=ADMIN)
        try:
            return int((await js.stream_info(settings.stream)).state.messages)
        finally:
            await nc.close()

    return asyncio.run(count())


def seed_consumer(settings: Settings, service: str, meldingen: int, *,
                  period: int | None = None) -> dict[str, Any]:
    """`service`'s store as its inbox leaves it after taking in the stream (`period`:
    the `periodic` history's, not `history`)."""
    started, cpu = time.perf_counter(), time.process_time()
    parts, sources = _parts(settings, service)
    app = parts.application
    if service == "reporting":  # its figures' tables, from a stream yet empty; each
        # batch then writes them in its transaction, as the inbox does
        from services.reporting.adapters.scratch_figures import TableCount
        TableCount(app.live).finish(0)
    keyring = getattr(app, "keyring", None)
    keyed: set[str] = set()
    at: dict[str, int] = {}
    applied = 0
    stream = numbered(meldingen, None if period is None else periodic(meldingen, period))
    while batch := list(itertools.islice(stream, BATCH)):
        events = []
        for _, source, position, event in batch:
            if source in sources:
                events.append(event)
                at[source] = position
        if not events:
            continue
        if keyring is not None:  # as the inbox adopts the keys sealed to this service
            new = {e.melding_id for e in events if isinstance(e, MeldingReceived)
                   and e.melding_id not in keyed}
            keyring.create_many(new)
            keyed |= new
        tracking = InboxTracking(settings.stream, batch[-1][0], sources=tuple(
            Tracking(f"{settings.stream}.{s}", p) for s, p in at.items()))
        app.process_batch(events, tracking)
        applied += len(events)
    notifier = getattr(parts, "notifier", None)
    if notifier is not None:  # the console's clock check ran as the history grew
        notifier.check()
    flusher = getattr(parts, "flusher", None)
    if flusher is not None:
        flusher.views.flush()
    chained = asyncio.run(_chain_outbox(app))
    app.close()
    return {"events": applied, "chained": chained,
            "seconds": round(time.perf_counter() - started, 1),
            "cpu_s": round(time.process_time() - cpu, 1)}


def seed_intake(settings: Settings, meldingen: int) -> dict[str, Any]:
    """Intake's own meldingen, filed in batches as its group commit files them."""
    from services.intake.bootstrap import build_application
    from services.intake.domain.submission import Submission

    started = time.perf_counter()
    app = build_application(settings)
    for first in range(0, meldingen, BATCH // 5):
        drafts = []
        for n in range(first, min(first + BATCH // 5, meldingen)):
            melding = seed.received(n)
            drafts.append(app.draft_report(Submission(
                kind=melding.kind, theme=THEMES[n % len(THEMES)],
                description=melding.description, anonymous=melding.anonymous,
                involved=tuple(melding.involved),
                identity=None if melding.anonymous else {"name": f"Melder {n}"})))
        # Their keys in one transaction, as `Filing` has them made for a group commit.
        assert app.keyring is not None
        app.keyring.create_many(str(draft.filed.id) for draft in drafts)
        app.save(*(a for draft in drafts for a in draft.aggregates))
    chained = asyncio.run(_chain_outbox(app))
    app.close()
    return {"meldingen": meldingen, "chained": chained,
            "seconds": round(time.perf_counter() - started, 1)}


async def _chain_outbox(app: Any) -> int:
    """Chain the outbox to its end and record its position, publishing nothing: the
    relay skips what it was told carries no integration event."""
    relay = OutboxRelay(app, js=None, signer=None, batch_size=BATCH)  # type: ignore[arg-type]
    chained = 0
    while True:
        last = app.recorder.max_notification_id() or 0
        ahead = relay._published + 1
        relay._silent.add(range(ahead, min(last, ahead + BATCH) + 1))
        read = await relay.publish_pending()
        if not read:
            return chained
        chained += read


def _parts(settings: Settings, service: str) -> tuple[Any, tuple[str, ...]]:
    """The service's parts as its bootstrap wires them, and the sources it consumes."""
    if service == "intake":
        from services.intake import bootstrap as intake
        return intake.build_parts(settings), intake.SOURCES
    if service == "triage":
        from services.triage import bootstrap as triage
        return triage.build_parts(settings), triage.SOURCES
    if service == "investigation":
        from services.investigation import bootstrap as investigation
        return investigation.build_parts(settings), investigation.SOURCES
    if service == "reporting":
        from services.reporting import bootstrap as reporting
        return reporting.build_parts(settings), reporting.SOURCES
    from services.console import bootstrap as console
    return console.build_parts(settings), console.SOURCES
