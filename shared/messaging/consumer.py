"""A durable pull consumer's lifecycle: (re)create it at a position, fetch in order,
notice lost deliveries, resubscribe after an outage. What is done with the messages
(exactly once, in order) is the subclass's: `shared.messaging.inbox`.

The subclass's `position()` is the truth about how far it got: whenever the
consumer (re)subscribes, it recreates its durable consumer to start right after it.

In order means without gaps, too. A delivery can be lost on its way (a cluster node
dies with it in flight, a reconnect): the consumer counts it as delivered and sends
it again only after `ack_wait`, while the messages after it arrive now. Applying
those would move the tracked position past the lost one, which would then be
skipped as applied before. So each delivery's consumer sequence, which grows by one
per delivery, as nats' ordered consumers do, is checked, and on a gap the consumer
is recreated from the position.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

log = logging.getLogger("meldingen.inbox")
IDLE_WAIT = 5.0  # seconds a pull for the next message lingers on the server
# Seconds a busy pull may wait. Short on purpose: once a pull has a message, nats-py
# keeps it open for more until the batch is full or this runs out, so with 0.1 s every
# batch taken while caught up arrived up to 100 ms late. What is already in the stream
# comes at once; when nothing is, the consumer goes back to waiting with a pull of one.
BUSY_WAIT = 0.005


class DeliveryGap(Exception):
    """A delivery never reached the consumer: what came after it must wait for it."""

    def __init__(self, expected: int, delivered: int) -> None:
        super().__init__(f"delivery {expected} expected, {delivered} arrived")
        self.expected = expected
        self.delivered = delivered


class PullConsumer(ABC):
    def __init__(self, js: JetStreamContext, *, stream: str, subjects: list[str],
                 durable: str, batch_size: int = 100) -> None:
        self.js = js
        self.stream = stream
        self.subjects = subjects
        self.durable = durable
        self.batch_size = batch_size
        self._stopping = False
        #: Set once `run` has returned: nothing more is fetched or applied.
        self.stopped = asyncio.Event()
        self._fetching: asyncio.Future[list[Msg]] | None = None
        #: The next batch's fetch, started as a batch is handed to `handle_batch`.
        self._ahead: asyncio.Future[list[Msg]] | None = None
        # The consumer sequence the next delivery must carry; a new consumer starts at 1.
        self._next_delivery = 1

    @abstractmethod
    def position(self) -> int:
        """The last stream sequence handled (0 before the first), as stored."""

    @abstractmethod
    async def handle_batch(self, messages: list[Msg]) -> None:
        """Handle fetched messages in order, acknowledging each one handled."""

    async def run(self) -> None:
        try:
            await self._run()
        finally:
            self.stopped.set()

    async def _run(self) -> None:
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
                ahead, self._ahead = self._ahead, None
                self._fetching = ahead or asyncio.ensure_future(
                    subscription.fetch(size, timeout=wait))
                messages = await self._fetching
                idle = False
                self.check_deliveries(messages)
                # The next batch is fetched while this one is handled, so a backlog's
                # next messages are at hand when it is done (`max_ack_pending` leaves
                # room for both). Its messages are checked in their turn.
                self._ahead = asyncio.ensure_future(
                    subscription.fetch(self.batch_size, timeout=BUSY_WAIT))
                await self.handle_batch(messages)
            except TimeoutError:  # nats' own and asyncio's: nothing there
                if idle and subscription is not None and await self._lost_delivery():
                    await _unsubscribe(subscription)
                    subscription = None
                idle = True
            except DeliveryGap as gap:
                await self._drop_ahead()
                log.warning("delivery lost, resubscribing",
                            extra={"expected": gap.expected, "delivered": gap.delivered})
                await _unsubscribe(subscription)
                subscription = None
            except asyncio.CancelledError:
                await self._drop_ahead()
                if self._stopping:
                    return  # stop() interrupted an idle wait
                raise
            except Exception as exc:  # noqa: BLE001 - NATS away: wait, then resubscribe
                log.warning("inbox paused", extra={"error": type(exc).__name__})
                await self._drop_ahead()
                await _unsubscribe(subscription)
                subscription = None
                await asyncio.sleep(0.5)
        await self._drop_ahead()

    def stop(self) -> None:
        """Stop after the message in hand; an idle wait for messages ends at once."""
        self._stopping = True
        if self._fetching is not None and not self._fetching.done():
            self._fetching.cancel()

    async def _drop_ahead(self) -> None:
        """Let go of the next batch's fetch: what it brings is delivered again to the
        consumer that is made next (or after a restart)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.cancel()
            await asyncio.wait({ahead})
            if not ahead.cancelled():
                ahead.exception()  # retrieved, so that it is not reported as lost

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
            # One ack for a whole applied batch (its last message's) instead of one per
            # message: the batch is applied in order, in one transaction.
            ack_policy=AckPolicy.ALL,
            ack_wait=60,
            max_ack_pending=self.batch_size * 2,
        )
        await self.js.add_consumer(self.stream, config)
        self._next_delivery = 1
        return await self.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)

    def check_deliveries(self, messages: list[Msg]) -> None:
        """Raises DeliveryGap, before anything is handled, if a delivery before or
        among these is missing."""
        for message in messages:
            delivered = delivery(message)[1]
            if delivered != self._next_delivery:
                raise DeliveryGap(self._next_delivery, delivered)
            self._next_delivery += 1

    async def _lost_delivery(self) -> bool:
        """After an idle wait, with every message in hand long acknowledged: does the
        consumer still wait for an ack? Then a delivery was lost, with nothing after it
        to show the gap, and it would only come again after `ack_wait`."""
        try:
            info = await self.js.consumer_info(self.stream, self.durable)
        except Exception:  # noqa: BLE001 - NATS away: the next fetch finds out
            return False
        return bool(info.num_ack_pending)


async def _unsubscribe(subscription: JetStreamContext.PullSubscription | None) -> None:
    """Let go of a subscription that is given up, whatever NATS says."""
    if subscription is not None:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()


async def ack(message: Msg) -> None:
    try:
        await message.ack()
    except Exception as exc:  # noqa: BLE001 - redelivered later, then skipped
        log.warning("ack failed", extra={"error": type(exc).__name__})


def delivery(message: Msg) -> tuple[int, int, int]:
    """(stream sequence, consumer sequence, messages pending) of a JetStream delivery,
    from its reply subject, without the cost of nats-py's full metadata (dates and
    all), which took more of a busy inbox's time than admitting the message.

    `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`, or the
    newer form with domain and account hash after `$JS.ACK` and a token at the end.
    """
    tokens = (message.reply or "").split(".")
    if len(tokens) == 9:
        return int(tokens[5]), int(tokens[6]), int(tokens[8])
    if len(tokens) >= 11:
        return int(tokens[7]), int(tokens[8]), int(tokens[10])
    raise ValueError("not a JetStream delivery")
