"""The outbox relay: publishes a service's integration events from its notification log.

An event is committed with its aggregate; this relay publishes it afterwards, in
notification order, with the JetStream message id `<service>:<notification id>`,
and then records how far it got (a tracking record named `<service>.outbox`). A
crash between publishing and recording re-publishes the batch, and the server drops
the copies as duplicates; consumers' tracking records catch any that outlive the
de-duplication window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from eventsourcing.persistence import Notification, Tracking
from nats.js import JetStreamContext

from shared.application import ServiceApplication
from shared.contracts import Envelope

log = logging.getLogger("meldingen.outbox")


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        js: JetStreamContext,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self.app = app
        self.js = js
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.tracking_name = f"{app.name}.outbox"
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        app.on_recorded(self._wake_up)

    def _wake_up(self, _: object) -> None:
        """Called in the committing thread after each commit: publish without waiting."""
        # Once this relay's loop has closed (the service stopped, the app lives on, as
        # in tests), a commit must still succeed: there is just nobody to wake.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._wake.set)

    def position(self) -> int:
        return self.app.recorder.max_tracking_id(self.tracking_name) or 0

    async def run(self) -> None:
        """Publish until stopped; an outage of NATS or the store only delays."""
        delay = self.poll_interval
        while not self._stopping:
            try:
                published = await self.publish_pending()
                delay = self.poll_interval
                if published >= self.batch_size:
                    continue  # more waiting: no pause
            except Exception as exc:  # noqa: BLE001 - keep relaying after any outage
                log.warning("relay paused", extra={"error": type(exc).__name__})
                delay = min(delay * 2, 5.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()

    def stop(self) -> None:
        """Stop after the current batch."""
        self._stopping = True
        self._wake.set()

    async def publish_pending(self, *, record: bool = True) -> int:
        """Publish one batch after the recorded position; returns how many were read."""
        start = await asyncio.to_thread(self.position)
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications,
            start, self.batch_size, inclusive_of_start=False,
        )
        if not notifications:
            return 0
        for notification in notifications:
            await self._publish(notification)
        if record:
            last = Tracking(self.tracking_name, notifications[-1].id)
            await asyncio.to_thread(self.app.recorder.insert_tracking, last)
        return len(notifications)

    async def _publish(self, notification: Notification) -> None:
        domain_event = self.app.mapper.to_domain_event(notification)
        event = self.app.integration_event(domain_event)
        if event is None:
            return
        envelope = Envelope.wrap(event, source=self.app.name, position=notification.id)
        # Publish-and-wait, one by one: consumers rely on each source's order.
        await self.js.publish(
            envelope.subject, envelope.encode(), timeout=5.0,
            headers={"Nats-Msg-Id": envelope.message_id},
        )
