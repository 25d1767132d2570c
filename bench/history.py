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
import time
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


def numbered(meldingen: int) -> Iterator[tuple[int, str, int, IntegrationEvent]]:
    """(stream sequence, source, source position, event), as `seed.publish` numbers
    them on a fresh stream."""
    positions: dict[str, int] = {}
    for sequence, (source, event) in enumerate(history(meldingen), start=1):
        positions[source] = positions.get(source, 0) + 1
        yield sequence, source, positions[source], event


def seed_all(settings: Settings, meldingen: int, workers: int = WORKERS,
             services: tuple[str, ...] = CONSUMERS) -> dict[str, Any]:
    """The stream and the stores of `services` (default every one), in `workers`
    processes at once: the stores are independent of each other and of the stream
    (each service's keys are its own), so only intake's store, which the stream's
    sealing writes keys into too, is seeded in the stream's process, after it. Forked,
    so each worker has the imports already."""
    unknown = set(services) - set(CONSUMERS)
    if unknown:
        raise ValueError(f"no such service to seed: {', '.join(sorted(unknown))}")
    began = time.perf_counter()
    seeding: dict[str, Any] = {"workers": workers, "services": list(services)}
    context = multiprocessing.get_context("fork")
    names = [name for name in JOBS if name == "stream" or name in services]
    with_intake = "intake" in services
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [pool.submit(_seed_job, settings, name, meldingen, with_intake)
                for name in names]
        for job in jobs:
            seeding.update(job.result())
    seeding["total_s"] = round(time.perf_counter() - began, 1)
    return seeding


def _seed_job(settings: Settings, name: str, meldingen: int,
              with_intake: bool) -> dict[str, Any]:
    """One job in its worker, with the worker's CPU seconds for it (`cpu_s`)."""
    cpu = time.process_time()
    done = _seed_one(settings, name, meldingen, with_intake)
    done[f"{name}_cpu_s"] = round(time.process_time() - cpu, 1)
    return done


def _seed_one(settings: Settings, name: str, meldingen: int,
              with_intake: bool) -> dict[str, Any]:
    if name != "stream":
        return {name: seed_consumer(settings, name, meldingen)}
    began, cpu = time.perf_counter(), time.process_time()
    done: dict[str, Any] = {"stream_events": seed_stream(settings, meldingen),
                            "stream_s": round(time.perf_counter() - began, 1),
                            "stream_only_cpu_s": round(time.process_time() - cpu, 1)}
    if not with_intake:
        return done
    cpu = time.process_time()
    done["intake"] = seed_intake(settings, meldingen)
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


def seed_consumer(settings: Settings, service: str, meldingen: int) -> dict[str, Any]:
    """`service`'s store as its inbox leaves it after taking in the stream."""
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
    stream = numbered(meldingen)
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
