"""The inbox: every integration event has its effect exactly once, however often NATS
delivers it, and a consumer that stops mid-stream resumes where it left off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig

from services.triage.bootstrap import SOURCES
from services.triage.bootstrap import build_application as build_triage
from services.triage.domain.report import Report
from shared.application import ServiceApplication
from shared.config import Settings
from shared.contracts import MeldingReceived
from shared.messaging import consumer as consumer_module
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import Inbox
from shared.messaging.signing import verifier_for
from shared.parking import Parking
from tests.support import MELDING, eventually, jetstream, running, signed

STREAM_SUBJECTS = "meldingen.intake.>"


def melding_received() -> MeldingReceived:
    now = datetime.now(UTC)
    return MeldingReceived(
        melding_id=str(uuid4()), kind="wrongdoing", theme="resources", channel="web",
        description="Dienstauto's worden privé gebruikt.", involved=[], occurred=None,
        anonymous=True, identity=None, received_at=now, acknowledged_at=now,
    )


def received_ids(app: ServiceApplication) -> list[str]:
    """Every melding triage recorded as received, duplicates included."""
    notifications = app.recorder.select_notifications(None, 10_000, inclusive_of_start=False)
    events = [app.mapper.to_domain_event(n) for n in notifications]
    return [str(e.originator_id) for e in events if isinstance(e, Report.Received)]


@pytest.fixture
def triage(settings: Settings) -> Iterator[ServiceApplication]:
    """Triage's application on its store, without its HTTP API, relay or inbox."""
    app = build_triage(settings)
    yield app
    app.close()


@pytest.fixture
async def js(settings: Settings) -> AsyncIterator[JetStreamContext]:
    async with jetstream(settings) as context:
        yield context


async def publish(js: JetStreamContext, settings: Settings, event: MeldingReceived, *,
                  position: int = 1, message_id: str | None = None) -> None:
    """As intake's relay would, unless a message id of its own is given."""
    envelope = Envelope.wrap(event, source="intake", position=position)
    await js.publish(envelope.subject, envelope.encode(),
                     headers=signed(settings, envelope, message_id))


async def test_an_event_applied_twice_has_one_effect(
    settings: Settings, triage: ServiceApplication, js: JetStreamContext,
) -> None:
    inbox = Inbox(triage, js, stream=settings.stream, sources=list(SOURCES),
                  verifier=verifier_for(settings))
    event = melding_received()

    # The first delivery of stream message 7 files the melding and tracks 7.
    assert inbox.apply(7, event) is True
    assert inbox.position() == 7

    # The same message again: recognised by its tracking record, no effect.
    assert inbox.apply(7, event) is False
    assert received_ids(triage) == [event.melding_id]


async def test_a_message_redelivered_after_a_crash_before_its_ack_has_one_effect(
    settings: Settings, triage: ServiceApplication, js: JetStreamContext,
) -> None:
    event = melding_received()
    await publish(js, settings, event)
    inbox = Inbox(triage, js, stream=settings.stream, sources=list(SOURCES),
                  verifier=verifier_for(settings))
    consumer = await js.pull_subscribe(
        STREAM_SUBJECTS, durable="probe", stream=settings.stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=30),
    )

    # Delivered and applied, but the consumer "crashes" before it acks; NATS
    # delivers the same stream message again (a nak makes that immediate).
    [first] = await consumer.fetch(1, timeout=5)
    await asyncio.to_thread(inbox.apply, first.metadata.sequence.stream,
                            Envelope.decode(first.data).event())
    await first.nak()
    [again] = await consumer.fetch(1, timeout=5)
    assert again.metadata.sequence.stream == first.metadata.sequence.stream
    assert again.metadata.num_delivered == 2

    # The redelivery is acknowledged and has no second effect.
    await inbox.handle(again)
    assert received_ids(triage) == [event.melding_id]

    async def acknowledged() -> bool:
        info = await js.consumer_info(settings.stream, "probe")
        return info.num_ack_pending == 0 and info.num_pending == 0

    await eventually(acknowledged)

    # A copy re-published after the de-duplication window (a new message id,
    # so a new stream message) creates no twin either.
    await publish(js, settings, event, message_id="late-copy")
    [copy] = await consumer.fetch(1, timeout=5)
    await inbox.handle(copy)
    assert received_ids(triage) == [event.melding_id]
    assert inbox.position() == copy.metadata.sequence.stream


async def test_a_batch_admitted_ahead_on_positions_that_do_not_hold_is_admitted_again(
    settings: Settings, triage: ServiceApplication, js: JetStreamContext,
) -> None:
    """The inbox admits the batch fetched ahead on the positions the batch before it
    leaves. If that one was not applied as a whole, those are not the stored
    positions, and the batch's turn admits it again on the stored ones."""
    event = melding_received()
    await publish(js, settings, event, position=2)
    inbox = Inbox(triage, js, stream=settings.stream, sources=list(SOURCES),
                  verifier=verifier_for(settings))
    consumer = await js.pull_subscribe(STREAM_SUBJECTS, durable="probe",
                                       stream=settings.stream)
    [message] = await consumer.fetch(1, timeout=5)
    # Ahead, as if the batch before had applied intake's positions up to 2: a replay.
    ahead = await asyncio.to_thread(inbox.prepare, [message], (0, {"intake": 2}))
    assert isinstance(ahead.items[0].event, Parking)
    await asyncio.to_thread(inbox.apply_batch, [message], ahead)
    assert received_ids(triage) == [event.melding_id]
    assert inbox.parked() == 0


async def test_a_consumer_stopped_mid_stream_resumes_and_misses_nothing(
    settings: Settings,
) -> None:
    async with running("intake", settings) as intake:
        async with running("triage", settings) as triage:
            # Triage takes in three meldingen, then its inbox stops.
            posted = [await post(intake) for _ in range(3)]
            await eventually(lambda: len(received_ids(triage.application)) == 3)
            inbox = triage.app.state.parts.runtime.inbox
            inbox.stop()
            await eventually(inbox.stopped.is_set)  # its batch in hand finished
            # Seven more reach the stream but not triage.
            posted += [await post(intake) for _ in range(7)]
            await eventually(lambda: in_stream(settings, 10))
            assert len(received_ids(triage.application)) == 3

        # While triage is down, five more arrive.
        posted += [await post(intake) for _ in range(5)]

        # Restarted on the same store, triage resumes after the third and misses nothing.
        async with running("triage", settings) as triage:
            await eventually(lambda: in_stream(settings, 15))
            async with jetstream(settings) as js:
                last = await js.get_last_msg(settings.stream, "meldingen.intake.melding_received")
            # Every message up to the last applied (a second delivery of one would
            # have been applied by then too), each once.
            runtime = triage.app.state.parts.runtime
            await eventually(lambda: runtime.inbox is not None
                             and runtime.inbox.position() == last.seq)
            assert sorted(received_ids(triage.application)) == sorted(posted)


@asynccontextmanager
async def running_inbox_that_loses_its_first_delivery(
    triage: ServiceApplication, js: JetStreamContext, settings: Settings,
) -> AsyncIterator[Inbox]:
    """A running inbox whose first consumer's first delivery goes astray, as when the
    cluster node that sent it dies: the consumer counts it as delivered, and the inbox
    never sees it."""
    inbox = Inbox(triage, js, stream=settings.stream, sources=list(SOURCES),
                  verifier=verifier_for(settings))
    subscribe = inbox.subscribe
    lost: list[object] = []

    async def subscribe_and_lose_one() -> JetStreamContext.PullSubscription:
        subscription = await subscribe()
        if not lost:
            elsewhere = await js.pull_subscribe_bind(durable=inbox.durable, stream=inbox.stream)
            lost.extend(await elsewhere.fetch(1, timeout=5))
            await elsewhere.unsubscribe()
        return subscription

    inbox.subscribe = subscribe_and_lose_one  # type: ignore[method-assign]
    running = asyncio.create_task(inbox.run())
    try:
        yield inbox
    finally:
        inbox.stop()
        await running


async def test_a_delivery_lost_on_its_way_holds_back_the_ones_after_it(
    settings: Settings, triage: ServiceApplication, js: JetStreamContext,
) -> None:
    first, second = melding_received(), melding_received()
    await publish(js, settings, first, position=1)
    await publish(js, settings, second, position=2)
    async with running_inbox_that_loses_its_first_delivery(triage, js, settings):
        # The second arrives first; applied then, it would have moved the position past
        # the first, whose later redelivery would be skipped as seen before.
        await eventually(lambda: len(received_ids(triage)) == 2)
        assert received_ids(triage) == [first.melding_id, second.melding_id]


async def test_a_lost_last_delivery_comes_again_after_an_idle_wait_not_ack_wait(
    settings: Settings, triage: ServiceApplication, js: JetStreamContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumer_module, "IDLE_WAIT", 0.3)
    only = melding_received()
    await publish(js, settings, only)
    async with running_inbox_that_loses_its_first_delivery(triage, js, settings):
        # Nothing comes after it to show the gap, and the consumer would send it again
        # only after ack_wait (60 s): the idle inbox asks after its acks.
        await eventually(lambda: received_ids(triage) == [only.melding_id], timeout=5)


async def in_stream(settings: Settings, count: int) -> bool:
    """Whether intake's relay has published `count` meldingen to the stream."""
    async with jetstream(settings) as js:
        info = await js.stream_info(settings.stream,
                                    subjects_filter="meldingen.intake.melding_received")
    return sum((info.state.subjects or {}).values()) >= count


async def post(intake) -> str:  # type: ignore[no-untyped-def]
    response = await intake.client.post("/api/meldingen", json=MELDING)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
