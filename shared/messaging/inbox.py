"""The inbox: a durable pull consumer that feeds integration events into a service's
`policy`, each applied in the same transaction as a tracking record.

The tracking record is (stream, stream sequence), and the event store, not the
consumer, is the truth about how far the service got: whenever the inbox
(re)subscribes, it recreates its durable consumer to start right after the last
tracked sequence, and it applies messages strictly in order. So a redelivered
message (at or below the tracked sequence) is only acknowledged, and a message
delivered but never applied (a crash, a lost connection) is delivered again.
Copies that the relay re-published are dropped by JetStream's de-duplication.

In order means without gaps, too. A delivery can be lost on its way (a cluster node
dies with it in flight, a reconnect): the consumer counts it as delivered and sends
it again only after `ack_wait`, while the messages after it arrive now. Applying
those would move the tracked position past the lost one, which would then be
skipped as applied before. So the inbox checks each delivery's consumer sequence,
which grows by one per delivery, as nats' ordered consumers do, and on a gap it
recreates the consumer from its position.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from eventsourcing.persistence import IntegrityError, Tracking
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shared.application import ServiceApplication
from shared.contracts import Envelope, IntegrationEvent

log = logging.getLogger("meldingen.inbox")
IDLE_WAIT = 5.0  # seconds a pull for the next message lingers on the server
# Seconds a busy pull may wait. Short on purpose: once a pull has a message, nats-py
# keeps it open for more until the batch is full or this runs out, so with 0.1 s every
# batch taken while caught up arrived up to 100 ms late. What is already in the stream
# comes at once; when nothing is, the inbox goes back to waiting with a pull of one.
BUSY_WAIT = 0.005


class DeliveryGap(Exception):
    """A delivery never reached the inbox: what came after it must wait for it."""

    def __init__(self, expected: int, delivered: int) -> None:
        super().__init__(f"delivery {expected} expected, {delivered} arrived")
        self.expected = expected
        self.delivered = delivered


class Inbox:
    def __init__(
        self,
        app: ServiceApplication,
        js: JetStreamContext,
        *,
        stream: str,
        sources: list[str],
        durable: str | None = None,
        batch_size: int = 100,
    ) -> None:
        self.app = app
        self.js = js
        self.stream = stream
        self.subjects = [f"meldingen.{source}.>" for source in sources]
        self.durable = durable or app.name
        self.batch_size = batch_size
        self._stopping = False
        self._fetching: asyncio.Future[list[Msg]] | None = None
        # The stored position, kept once read: this inbox is its only writer. Forgotten
        # (read again) after a failed batch, whose transaction may or may not have ended.
        self._applied: int | None = None
        # The consumer sequence the next delivery must carry; a new consumer starts at 1.
        self._next_delivery = 1

    def position(self) -> int:
        """The last stream sequence applied (0 before the first), as stored."""
        self._applied = self.app.recorder.max_tracking_id(self.stream) or 0
        return self._applied

    async def run(self) -> None:
        subscription: JetStreamContext.PullSubscription | None = None
        idle = True
        while not self._stopping:
            try:
                if subscription is None:
                    subscription = await self.subscribe()
                # Idle, wait with a pull of one: it returns the moment a message arrives,
                # where a larger pull would hold that message until the pull expires.
                # Busy, take a batch of what is already there, waiting only briefly.
                size, wait = (1, IDLE_WAIT) if idle else (self.batch_size, BUSY_WAIT)
                self._fetching = asyncio.ensure_future(subscription.fetch(size, timeout=wait))
                messages = await self._fetching
                idle = False
                await self.handle_batch(messages)
            except TimeoutError:  # nats' own and asyncio's: nothing there
                if idle and subscription is not None and await self._lost_delivery():
                    await _unsubscribe(subscription)
                    subscription = None
                idle = True
            except DeliveryGap as gap:
                log.warning("delivery lost, resubscribing",
                            extra={"expected": gap.expected, "delivered": gap.delivered})
                await _unsubscribe(subscription)
                subscription = None
            except asyncio.CancelledError:
                if self._stopping:
                    return  # stop() interrupted an idle wait
                raise
            except Exception as exc:  # noqa: BLE001 - NATS away: wait, then resubscribe
                log.warning("inbox paused", extra={"error": type(exc).__name__})
                await _unsubscribe(subscription)
                subscription = None
                await asyncio.sleep(0.5)

    def stop(self) -> None:
        """Stop after the message in hand; an idle wait for messages ends at once."""
        self._stopping = True
        if self._fetching is not None and not self._fetching.done():
            self._fetching.cancel()

    async def subscribe(self) -> JetStreamContext.PullSubscription:
        """A new durable consumer that starts right after the stored position."""
        start = await asyncio.to_thread(self.position) + 1
        with contextlib.suppress(NotFoundError):
            await self.js.delete_consumer(self.stream, self.durable)
        config = ConsumerConfig(
            durable_name=self.durable,
            filter_subjects=self.subjects,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=60,
            max_ack_pending=self.batch_size * 2,
        )
        await self.js.add_consumer(self.stream, config)
        self._next_delivery = 1
        return await self.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)

    async def _lost_delivery(self) -> bool:
        """After an idle wait, with every message in hand long acknowledged: does the
        consumer still wait for an ack? Then a delivery was lost, with nothing after it
        to show the gap, and it would only come again after `ack_wait`."""
        try:
            info = await self.js.consumer_info(self.stream, self.durable)
        except Exception:  # noqa: BLE001 - NATS away: the next fetch finds out
            return False
        return bool(info.num_ack_pending)

    async def handle_batch(self, messages: list[Msg]) -> None:
        """Apply a fetched batch in one transaction; if that fails, one at a time.
        Raises DeliveryGap, applying nothing, if a delivery before or in it is missing."""
        for message in messages:
            delivered = message.metadata.sequence.consumer
            if delivered != self._next_delivery:
                raise DeliveryGap(self._next_delivery, delivered)
            self._next_delivery += 1
        batch = [(m.metadata.sequence.stream, _decode(m)) for m in messages]
        try:
            await asyncio.to_thread(self.apply_batch, batch)
        except Exception as exc:  # noqa: BLE001 - find the one that fails, in order
            if len(messages) > 1:
                log.warning("batch failed, applying one by one",
                            extra={"error": type(exc).__name__})
        else:
            for message in messages:
                await _ack(message)
            return
        for message in messages:
            if self._stopping:
                return  # what is not applied is delivered again after a restart
            await self.handle(message)

    def apply_batch(self, batch: list[tuple[int, IntegrationEvent | None]]) -> None:
        position = self._applied if self._applied is not None else self.position()
        fresh = sorted((item for item in batch if item[0] > position), key=lambda i: i[0])
        if fresh:
            self._applied = None
            self.app.process_batch([event for _, event in fresh],
                                   Tracking(self.stream, fresh[-1][0]))
            self._applied = fresh[-1][0]

    async def handle(self, message: Msg) -> None:
        """Apply one delivered message (retrying until the store takes it), then ack it."""
        sequence = message.metadata.sequence.stream
        event = _decode(message)
        delay = 0.1
        while True:
            try:
                await asyncio.to_thread(self.apply, sequence, event)
                break
            except Exception as exc:  # noqa: BLE001 - the store is away: retry, in order
                log.warning("apply failed, retrying",
                            extra={"sequence": sequence, "error": type(exc).__name__})
                if self._stopping:
                    return
                with contextlib.suppress(Exception):  # only extends the ack deadline
                    await message.in_progress()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        await _ack(message)

    def apply(self, sequence: int, event: IntegrationEvent | None) -> bool:
        """Apply one event exactly once; False if it had been applied before."""
        if self.app.recorder.has_tracking_id(self.stream, sequence):
            return False
        try:
            self.app.process_event(event, Tracking(self.stream, sequence))
        except IntegrityError:
            if self.app.recorder.has_tracking_id(self.stream, sequence):
                return False  # applied concurrently by another delivery
            raise  # a version conflict on an aggregate: retry
        return True


def _decode(message: Msg) -> IntegrationEvent | None:
    try:
        return Envelope.decode(message.data).event()
    except Exception as exc:  # noqa: BLE001 - a message no version of us can read
        log.error("unreadable message skipped", extra={
            "subject": message.subject, "sequence": message.metadata.sequence.stream,
            "error": type(exc).__name__})
        return None  # tracked all the same, so that the rest is not held up


async def _unsubscribe(subscription: JetStreamContext.PullSubscription | None) -> None:
    """Let go of a subscription that is given up, whatever NATS says."""
    if subscription is not None:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()


async def _ack(message: Msg) -> None:
    try:
        await message.ack()
    except Exception as exc:  # noqa: BLE001 - redelivered later, then skipped
        log.warning("ack failed", extra={"error": type(exc).__name__})
