"""The clock's part in investigation: every so often, notice the response terms that
passed without a response (`InvestigationApplication.notice_lapses`). It runs with
the messaging runtime, as its companion: what it records leaves through the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from eventsourcing.persistence import PersistenceError

from services.investigation.application import InvestigationApplication
from services.investigation.views import CaseIndex
from shared.runtime import MessagingRuntime

log = logging.getLogger("meldingen.investigation.terms")


class ResponseTermWatch:
    def __init__(self, app: InvestigationApplication, cases: CaseIndex, *,
                 every: float) -> None:
        self.app = app
        self.cases = cases
        self.every = every
        self._stopping = asyncio.Event()

    async def prepare(self, runtime: MessagingRuntime) -> None:
        """Nothing to prepare: the case list is fed from the store at start."""

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await asyncio.to_thread(self.app.notice_lapses, self.cases.awaiting_response())
            except PersistenceError as error:  # the store away: the next check tries again
                log.warning("response term check failed", extra={"error": type(error).__name__})
            except Exception as error:  # noqa: BLE001 - never take the relay and inbox down
                log.error("response term check failed", extra={"error": type(error).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.every)

    def stop(self) -> None:
        self._stopping.set()
