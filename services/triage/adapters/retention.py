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

from services.triage.application import TriageApplication
from services.triage.views import ClosedMeldingen
from shared.keystore import Shredding
from shared.retention import RetentionTerms
from shared.terms import local_date

log = logging.getLogger("meldingen.retention")


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
                    if (shredding := self.triage.shred(melding_id, self.terms)) is not None]
        if done:
            log.info("meldingen shredded", extra={"count": len(done)})
        return done

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
