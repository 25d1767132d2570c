"""The shredding check (docs/privacy.md, "Retention and crypto-shredding"): every
`MELDINGEN_RETENTION_CHECK_SECONDS` (an hour by default, so a melding whose term ends
at midnight goes the same morning) and whenever `meldingen retention run` asks, it
shreds each closed melding whose term has passed by today, on the organisation's
calendar and the injected clock, and that no legal hold keeps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from uuid import UUID

from services.triage.adapters.closed_table import ClosedMeldingen
from services.triage.adapters.purge_table import PendingPurges
from services.triage.application import CHANGED, TriageApplication
from services.triage.domain.purges import FilesPurge
from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from shared.errors import Shredded
from shared.files.store import FileStore
from shared.keystore import Shredding
from shared.retention import RetentionTerms
from shared.terms import local_date

log = logging.getLogger("meldingen.retention")


class RetentionCheck:
    def __init__(self, triage: TriageApplication, closed: ClosedMeldingen,
                 terms: RetentionTerms, *, check_every: float,
                 purges: PendingPurges, files: FileStore | None = None) -> None:
        self.triage = triage
        self.closed = closed
        self.purges = purges
        self.terms = terms
        self.check_every = check_every
        self._one_at_a_time = threading.Lock()  # the loop's and a run's
        self._stop = asyncio.Event()
        self.files = files
        # The loop the files store's connection runs on: a purge from a worker thread
        # is handed to it.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._after_shred: list[Callable[[], object]] = []

    def on_shred(self, callback: Callable[[], object]) -> None:
        """Call `callback` after each shred, whatever came of it, once its commit is
        in the views: what is kept beside the store of a melding (the queue's pages as
        sent) goes with it."""
        self._after_shred.append(callback)

    def run(self) -> list[Shredding]:
        """Shred every melding due today; what was shredded (ids, dates, terms)."""
        with self._one_at_a_time:
            day = local_date(self.triage.clock.now())
            done = [shredding for melding_id in self.closed.due(day, self.terms)
                    if (shredding := self._purged_after(melding_id)) is not None]
            self._purge_due()
        if done:
            log.info("meldingen shredded", extra={"count": len(done)})
        return done

    def shred(self, melding_id: UUID) -> Shredding | None:
        """Shred it if due today (else None): triage's key first, then the event on the
        melding, which the outbox publishes as `melding_shredded`. After a crash between
        the two the melding no longer reads: the event follows unread, with the date
        the key was destroyed."""
        triage = self.triage
        done: list[Shredding] = []

        def shred(report: Report) -> None:
            done.clear()
            now = triage.clock.now()
            term = report.due_on(local_date(now), self.terms)
            if term is not None and triage.keyring is not None:
                done.append(triage.keyring.destroy(str(report.id), now, term))
                report.shred(term=term, at=done[0].shredded_at)

        try:
            triage.update(lambda: triage.repository.get(melding_id), shred, conflict=CHANGED)
        except Shredded:
            gone = triage.keyring.shredding(str(melding_id)) if triage.keyring else None
            unread = gone and triage.unread_event(melding_id, Retained.Shredded,
                                                  term=gone.term, at=gone.shredded_at)
            if not unread:
                return None
            triage.save(unread)
            return gone
        finally:
            # Whatever came of it (its key may be gone), what the aggregate cache held
            # of the content goes: a read after it reads the store.
            triage.forget()
            for callback in self._after_shred:
                callback()
        return done[0] if done else None

    def _purged_after(self, melding_id: UUID) -> Shredding | None:
        """`shred`, with the purge of its files recorded as due first: a crash or a
        stream away after the key went still leaves the purge to do."""
        if self.files is not None and melding_id not in self.purges:
            self._record(FilesPurge(melding_id, at=self.triage.clock.now()))
        return self.shred(melding_id)

    def _record(self, purge: FilesPurge) -> None:
        # The view hears of it from the store's feed too; seen here at once, so this
        # check does not depend on when (applying twice is harmless).
        events = list(purge.pending_events)
        self.triage.save(purge)
        for domain_event in events:
            self.purges.apply(domain_event)

    def _purge_due(self) -> None:
        """Every due purge of a shredded melding's files from the files stream (its
        key is gone already, so they were unreadable since), each recorded once done.
        One that fails (NATS away) leaves them, unreadable, for the next check; a
        melding that was not shredded after all (a hold came first) keeps its purge
        due until it is."""
        if self.files is None or self._loop is None or self.triage.keyring is None:
            return
        for melding_id in self.purges.meldingen():
            if self.triage.keyring.shredding(str(melding_id)) is None:
                continue
            try:
                self.files.purge_from_thread(str(melding_id), self._loop)
            except Exception as exc:  # noqa: BLE001 - NATS away: the next check retries
                log.warning("purge of files failed; retried at the next check",
                            extra={"error": type(exc).__name__})
                return
            purge: FilesPurge = self.triage.repository.get(FilesPurge.create_id(melding_id))
            purge.purged(at=self.triage.clock.now())
            self._record(purge)

    async def loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            try:
                await asyncio.to_thread(self.run)
            except Exception as exc:  # noqa: BLE001 - the store is away: the next check
                log.warning("retention check failed", extra={"error": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.check_every)

    def stop(self) -> None:
        self._stop.set()
