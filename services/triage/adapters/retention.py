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
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.triage.application import CHANGED, TriageApplication
from services.triage.domain.report import Report
from services.triage.domain.retention import Retained, closing_outcome
from shared.errors import Shredded
from shared.keystore import Shredding
from shared.retention import MeldingRetention, RetentionTerms, due_for_shredding
from shared.terms import local_date

log = logging.getLogger("meldingen.retention")


class ClosedMeldingen:
    """What the daily shredding check walks: every closed melding not shredded yet,
    with when and how it closed, and the meldingen under a legal hold (open or not).
    Whether one is due is `shared.retention`'s rule; the aggregate checks it again."""

    def __init__(self) -> None:
        self._closed: dict[UUID, tuple[datetime, Any]] = {}
        self._held: set[UUID] = set()
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            melding_id = event.originator_id
            if isinstance(event, Report.Closed):
                self._closed[melding_id] = (event.at, getattr(event, "outcome", None)
                                            or closing_outcome(event.reason))
            elif isinstance(event, (Report.Reopened, Retained.Shredded)):
                self._closed.pop(melding_id, None)
            elif isinstance(event, Retained.HoldPlaced):
                self._held.add(melding_id)
            elif isinstance(event, Retained.HoldLifted):
                self._held.discard(melding_id)

    def due(self, day: date, terms: RetentionTerms) -> list[UUID]:
        with self._lock:
            meldingen = [MeldingRetention(str(melding_id), closed_at=at, outcome=outcome)
                         for melding_id, (at, outcome) in self._closed.items()
                         if melding_id not in self._held]
        return [UUID(m.melding_id) for m in due_for_shredding(meldingen, day, terms)]


class RetentionCheck:
    def __init__(self, triage: TriageApplication, closed: ClosedMeldingen,
                 terms: RetentionTerms, *, check_every: float) -> None:
        self.triage = triage
        self.closed = closed
        self.terms = terms
        self.check_every = check_every
        self._one_at_a_time = threading.Lock()  # the loop's and a run's
        self._stop = asyncio.Event()

    def run(self) -> list[Shredding]:
        """Shred every melding due today; what was shredded (ids, dates, terms)."""
        with self._one_at_a_time:
            day = local_date(self.triage.clock.now())
            done = [shredding for melding_id in self.closed.due(day, self.terms)
                    if (shredding := self.shred(melding_id)) is not None]
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
        return done[0] if done else None

    async def loop(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.to_thread(self.run)
            except Exception as exc:  # noqa: BLE001 - the store is away: the next check
                log.warning("retention check failed", extra={"error": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.check_every)

    def stop(self) -> None:
        self._stop.set()
