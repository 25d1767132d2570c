"""The outbox relay (docs/architecture.md, "Outbox"): a service's integration events
from its notification log to JetStream, each signed (`shared.messaging.signing`), and
its hash chains (`shared.chain`) extended by each batch, the heads recorded with the
position so a restart continues them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Notification, Recording, Tracking
from nats.js import JetStreamContext

from shared.application import ServiceApplication
from shared.chain import OutboxChain, SealBatch
from shared.contracts import IntegrationEvent
from shared.errors import DamagedRecord, Shredded
from shared.messaging.envelope import Envelope
from shared.messaging.epochs import Recipients
from shared.messaging.signing import HEADER, EventSigner
from shared.messaging.silent import CommittedEvents, SilentIds

log = logging.getLogger("meldingen.outbox")


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        js: JetStreamContext,
        signer: EventSigner,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        linger: float = 0.005,
    ) -> None:
        self.app = app
        self.js = js
        self.signer = signer
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        # After a commit wakes it, the relay waits this long before reading, so that a
        # batch holds the commits of a few milliseconds: under load that makes one
        # read and one seal commit (an fsync under the store's write lock) per batch of
        # meldingen instead of per melding, for a few ms of added propagation delay.
        self.linger = linger
        self.tracking_name = f"{app.name}.outbox"
        self.chain = OutboxChain(app)
        keyring = getattr(app, "keyring", None)  # a KeyedApplication's
        self.recipients: Recipients | None = getattr(keyring, "recipients", None)
        self._chain_loaded = False
        # The recorded position, kept in memory once read: this relay is its only writer.
        self._published = 0
        self._wake = asyncio.Event()
        # Events just committed that publish nothing, as the commit's own events showed
        # (`_wake_up`): only chained, not read back. A backlog taken in by triage is
        # almost all such events.
        self._silent = SilentIds()
        # The integration events of the rest, as made from the commit's own events:
        # published without reading back and decrypting what was just stored.
        self._committed = CommittedEvents()
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        app.on_recorded(self._wake_up)

    def _wake_up(self, recordings: list[Recording[UUID]]) -> None:
        """Called in the committing thread after each commit: publish without waiting,
        if the commit holds an integration event. A commit without one (a melding
        taken in by triage, say) only needs chaining, which the next pass does within
        `poll_interval`: waking for it would cost a read and a seal commit per commit."""
        events = [(r.notification.id, self.app.integration_event(r.domain_event))
                  for r in recordings]
        silent = [id_ for id_, event in events if event is None]
        self._silent.add(silent)
        if len(silent) == len(recordings):
            return
        self._committed.add((id_, event) for id_, event in events if event is not None)
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
                # The store may have taken the batch's seal but not its position: read
                # both back before the next batch, as after a restart.
                self._chain_loaded = False
                delay = min(delay * 2, 5.0)
                await self._back_off(delay)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
                if self.linger and not self._stopping:
                    await asyncio.sleep(self.linger)
            self._wake.clear()

    async def _back_off(self, delay: float) -> None:
        """Pause after a failure; commits in the meantime do not cut it short (that
        would be a retry per commit during an outage), stop() does."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while not self._stopping and (left := deadline - loop.time()) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=left)

    def stop(self) -> None:
        """Stop after the current batch."""
        self._stopping = True
        self._wake.set()

    async def publish_pending(self, *, record: bool = True) -> int:
        """Publish one batch after the recorded position; returns how many were read."""
        notifications = await asyncio.to_thread(self._read)
        published_up_to = self._published
        if not notifications:
            return 0
        batch = self.chain.batch()
        for notification in notifications:
            stored = batch.stored(notification)
            if notification.id > published_up_to:
                await self._publish(notification, batch, stored)
        if record:
            last = notifications[-1].id
            tracking = Tracking(self.tracking_name, last) if last > published_up_to else None
            await asyncio.to_thread(self.chain.commit, batch, tracking)
            self._published = max(last, published_up_to)
            self._silent.passed(last)
            self._committed.passed(last)
        return len(notifications)

    def _read(self) -> Sequence[Notification]:
        """The next batch, in one worker-thread hand-off; after a start or a failure the
        chain heads and the recorded position are read back first."""
        if not self._chain_loaded:
            self.chain.load(self.tracking_name)
            self._published = self.position()
            self._chain_loaded = True
        # Read from the chain's head: a store from before the chain is chained first,
        # but what was published already is not published again.
        return self.app.recorder.select_notifications(
            self.chain.heads.position, self.batch_size, inclusive_of_start=False)

    async def _publish(self, notification: Notification, batch: SealBatch, stored: str) -> None:
        if notification.id in self._silent:
            return  # committed without an integration event
        committed = self._committed.take(notification.id)
        if committed is not None:
            await self._send(committed, notification, batch, stored)
            return
        try:
            domain_event = self.app.mapper.to_domain_event(notification)
        except DamagedRecord:
            # Noted and logged by the mapper. Held back, it would hold back every later
            # event of the service; chained already, so the audit names it.
            log.error("stored event damaged: not published",
                      extra={"notification_id": notification.id})
            return
        except Shredded:
            # Its melding's content is gone: nothing of it may leave the service now.
            log.info("stored event of a shredded melding: not published",
                     extra={"notification_id": notification.id})
            return
        try:
            event = self.app.integration_event(domain_event)
        except Shredded:
            _not_published(notification)
            return
        if event is not None:
            await self._send(event, notification, batch, stored)

    async def _send(self, event: IntegrationEvent, notification: Notification,
                    batch: SealBatch, stored: str) -> None:
        """Seal (for its receivers), wrap, sign and publish one integration event."""
        try:
            if self.recipients is not None and event.key_recipients():
                # The receivers' epochs, read at most a second before this seals to them.
                await self.recipients.refresh(
                    self.js, lambda: self.app.recorder.max_notification_id() or 0)
            event = self.app.outgoing(event, f"{self.app.name}:{notification.id}",
                                      notification.id)
        except Shredded:  # shredded after it was stored: its content may not leave
            _not_published(notification)
            return
        envelope = Envelope.wrap(event, source=self.app.name, position=notification.id,
                                 prev=batch.heads.stream_head, stored=stored)
        payload = envelope.encode()
        # Publish-and-wait, one by one: consumers rely on each source's order.
        await self.js.publish(
            envelope.subject, payload, timeout=5.0,
            headers={"Nats-Msg-Id": envelope.message_id, HEADER: self.signer.sign(payload)},
        )
        batch.published(payload)


def _not_published(notification: Notification) -> None:
    log.info("integration event of a shredded melding: not published",
             extra={"notification_id": notification.id})
