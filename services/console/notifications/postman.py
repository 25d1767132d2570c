"""Sends what the notifier decided, and runs its clock check.

Mails go strictly in the order they were decided, up to `BATCH` claimed at once.
Before each try the postman claims the mail for a while
(`MELDINGEN_NOTIFY_CLAIM_SECONDS`; a batch's rest is claimed again once half of it has
passed), so that a second replica of the console, whose postman sees the same store,
leaves it alone and only moves on once it was sent. One that cannot be handed over
(the SMTP server is away) is tried again with growing pauses, and those after it
wait: they arrive after it returns, in order. Only this mail queue waits: the inbox,
the pages and the API go on. A mail is marked sent in a commit of its own as soon as
the server took it, before the next is handed over, so a crash sends at most the one
in flight once more after the restart (with the same Message-ID); a crash before it
was sent loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from uuid import UUID, uuid4

from services.console.notifications.adapters.transports import Transport
from services.console.notifications.application import Notifier

log = logging.getLogger("meldingen.notifications")
FIRST_RETRY = 0.5
#: Mails claimed in one commit: a backlog (a clock check after an outage decides
#: thousands) then costs one claim per batch, and one record per mail sent.
BATCH = 50


class Postman:
    def __init__(self, notifier: Notifier, transport: Transport, *, retry_max: float,
                 check_every: float) -> None:
        self.notifier = notifier
        self.transport = transport
        self.retry_max = retry_max
        self.check_every = check_every
        self.name = f"postman-{uuid4()}"  # this process's, for its claims
        self._stopping = False
        self._wake = asyncio.Event()  # a mail was decided, or stop()
        self._stop = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop has ended: nobody waits
                loop.call_soon_threadsafe(self._wake.set)

        self.notifier.board.on_waiting = wake
        await asyncio.gather(self._deliver(), self._check())

    def stop(self) -> None:
        self._stopping = True
        self._stop.set()
        self._wake.set()

    async def _pause(self, seconds: float) -> None:
        """Wait for a new mail, at most `seconds`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, ended early by stop()."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _deliver(self) -> None:
        delay = FIRST_RETRY
        while not self._stopping:
            mail_ids = self.notifier.board.next_mails(BATCH)
            if not mail_ids:
                await self._pause(5.0)
                continue
            if await self._send_in_order(mail_ids):
                # Held by an outage or another postman: those after it wait.
                await self._sleep(delay)
                delay = min(delay * 2, self.retry_max)
            else:
                delay = FIRST_RETRY

    async def _send_in_order(self, mail_ids: list[UUID]) -> bool:
        """Claim the mails at once, then send them in order up to the first that cannot
        go now, each recorded as sent before the next goes; whether one was held."""
        # Past half the claim, the rest is claimed again first: never sent on a lapsed one.
        until = time.monotonic() + self.notifier.claim_for.total_seconds() / 2
        try:
            turns = await asyncio.to_thread(self.notifier.claim_all, mail_ids, self.name)
        except Exception as exc:  # noqa: BLE001 - the store is away: retry, in order
            log.warning("mails not claimed, retrying", extra={"error": type(exc).__name__})
            return True
        for mail_id, turn in zip(mail_ids, turns, strict=True):
            if turn == "sent":  # by another postman
                self.notifier.board.sent(mail_id)
                continue
            if turn == "held":
                return True
            if time.monotonic() > until or self._stopping:
                return False
            try:
                mail = await asyncio.to_thread(self.notifier.mail, mail_id)
                await self.transport.send(mail)
            except Exception as exc:  # noqa: BLE001 - server or store away: retry, in order
                log.warning("mail not sent, retrying", extra={
                    "mail": str(mail_id), "error": type(exc).__name__})
                return True
            await self._mark(mail_id)
        return False

    async def _mark(self, mail_id: UUID) -> None:
        """Record that the mail went (retrying while the store is away: sending it
        again would be the worse outcome)."""
        delay = FIRST_RETRY
        while True:
            try:
                await asyncio.to_thread(self.notifier.mailed, mail_id)
                return
            except Exception as exc:  # noqa: BLE001 - the store is away
                log.warning("mail sent, not yet recorded", extra={
                    "mail": str(mail_id), "error": type(exc).__name__})
                if self._stopping:
                    return
                await self._sleep(delay)
                delay = min(delay * 2, self.retry_max)

    async def _check(self) -> None:
        while not self._stopping:
            try:
                await asyncio.to_thread(self.notifier.check)
            except Exception as exc:  # noqa: BLE001 - the store is away: next time
                log.warning("notification check failed", extra={"error": type(exc).__name__})
            await self._sleep(self.check_every)
