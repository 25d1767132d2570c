"""The outbox: a melding accepted by intake reaches triage whatever NATS does meanwhile,
and a relay that re-publishes after a crash doubles nothing."""

from __future__ import annotations

import asyncio

import pytest
from eventsourcing.persistence import IntegrityError, Tracking
from nats.js import JetStreamContext

from services.intake.bootstrap import build_application
from services.intake.domain.submission import Submission
from shared.config import Settings
from shared.messaging.outbox import OutboxRelay
from shared.messaging.signing import signer_for
from tests.support import MELDING, NatsServer, eventually, jetstream, running, token


async def stream_messages(js: JetStreamContext, settings: Settings) -> int:
    return (await js.stream_info(settings.stream)).state.messages


async def queue_ids(triage, settings: Settings) -> list[str]:  # type: ignore[no-untyped-def]
    response = await triage.client.get("/api/meldingen", headers=token(settings, "meldpunt"))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_intake_accepts_while_nats_is_down_and_delivers_after_restart(
    settings: Settings, nats_server: NatsServer
) -> None:
    # NATS goes down before either service starts.
    nats_server.stop()
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        # Intake still takes the melding: it is committed to intake's own store.
        response = await intake.client.post("/api/meldingen", json=MELDING)
        assert response.status_code == 201, response.text
        melding_id = response.json()["id"]

        # Without NATS, neither service is ready, and the melding cannot travel.
        ready = await intake.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert ready.json()["status"] == 503
        assert await queue_ids(triage, settings) == []

        # NATS comes back (same port, same storage): both services become ready and the
        # relay publishes what it could not before.
        nats_server.start()

        async def ready_again() -> bool:
            return (await intake.client.get("/readyz")).status_code == 200

        await eventually(ready_again, timeout=15)

        async def arrived() -> bool:
            return await queue_ids(triage, settings) == [melding_id]

        await eventually(arrived, timeout=15)


async def test_readyz_follows_nats_going_down_and_up(
    sqlite_settings: Settings, nats_server: NatsServer
) -> None:
    async with running("triage", sqlite_settings) as triage:

        def answers(expected: int):  # type: ignore[no-untyped-def]
            async def check() -> bool:
                return (await triage.client.get("/readyz")).status_code == expected
            return check

        await eventually(answers(200))
        nats_server.stop()
        await eventually(answers(503))
        not_ready = await triage.client.get("/readyz")
        assert not_ready.headers["content-type"] == "application/problem+json"
        assert not_ready.json()["title"] == "Not ready"
        nats_server.start()
        await eventually(answers(200), timeout=15)


async def test_relay_killed_before_recording_republishes_and_jetstream_drops_the_copy(
    settings: Settings,
) -> None:
    # Intake's application alone, without its own relay, so that this test is the relay.
    intake = build_application(settings)
    try:
        filed = intake.file_report(Submission(
            kind=MELDING["kind"], theme=MELDING["theme"],
            description=MELDING["description"], anonymous=True,
        ))
        async with jetstream(settings) as js:
            # A relay publishes the batch and "dies" before it records its progress.
            crashed = OutboxRelay(intake, js, signer_for(settings, "intake"))
            published = await crashed.publish_pending(record=False)
            assert published > 0
            assert crashed.position() == 0
            assert await stream_messages(js, settings) == 1

            # Its successor starts from the recorded position and publishes the same
            # batch again, with the same message ids: the server keeps one copy.
            successor = OutboxRelay(intake, js, signer_for(settings, "intake"))
            assert await successor.publish_pending() == published
            assert successor.position() == intake.recorder.max_notification_id()
            assert await stream_messages(js, settings) == 1

            # Nothing is pending any more.
            assert await successor.publish_pending() == 0
            assert await stream_messages(js, settings) == 1

            # Triage receives one melding, not two.
            async with running("triage", settings) as triage:

                async def arrived() -> bool:
                    return await queue_ids(triage, settings) == [str(filed.id)]

                await eventually(arrived)
                assert len(list(triage.application.recorder.select_notifications(
                    None, 100, inclusive_of_start=False))) == 1
    finally:
        intake.close()


async def test_a_stopped_relay_finishes_its_batch_and_records_it(sqlite_settings: Settings) -> None:
    intake = build_application(sqlite_settings)
    try:
        for number in range(10):
            intake.file_report(Submission(kind="wrongdoing", theme="other",
                                          description=f"Melding {number}.", anonymous=True))
        async with jetstream(sqlite_settings) as js:
            relay = OutboxRelay(intake, js, signer_for(sqlite_settings, "intake"), batch_size=7)
            # Stopped while its first batch is under way (the task has run up to its
            # first read), it publishes that whole batch, records it, and takes no other.
            running_relay = asyncio.create_task(relay.run())
            await asyncio.sleep(0)
            relay.stop()
            await asyncio.wait_for(running_relay, timeout=10)
            position = relay.position()
            assert position == 7 < intake.recorder.max_notification_id()
            published = [n for n in intake.recorder.select_notifications(
                None, position, inclusive_of_start=False)
                if intake.integration_event(intake.mapper.to_domain_event(n)) is not None]
            assert await stream_messages(js, sqlite_settings) == len(published)
    finally:
        intake.close()


async def test_the_seal_and_the_position_are_committed_together(settings: Settings) -> None:
    """A batch's seal and the relay's position are one transaction: when the position is
    refused, the seal is not stored either, so chain and position never part."""
    intake = build_application(settings)
    try:
        intake.file_report(Submission(kind=MELDING["kind"], theme=MELDING["theme"],
                                      description=MELDING["description"], anonymous=True))
        async with jetstream(settings) as js:
            relay = OutboxRelay(intake, js, signer_for(settings, "intake"))
            relay.chain.load(relay.tracking_name)
            batch = relay.chain.batch()
            for notification in intake.recorder.select_notifications(None, 100):
                batch.stored(notification)
            seals_before = relay.chain._seals.select_events(relay.chain.id)
            # A position the relay has already passed: refused by the tracking record.
            intake.recorder.insert_tracking(Tracking(relay.tracking_name, 10))
            with pytest.raises(IntegrityError):
                relay.chain.commit(batch, Tracking(relay.tracking_name, 5))
            assert relay.chain._seals.select_events(relay.chain.id) == seals_before
            assert intake.recorder.max_tracking_id(relay.tracking_name) == 10

            relay.chain.commit(batch, Tracking(relay.tracking_name, 11))
            assert len(relay.chain._seals.select_events(relay.chain.id)) == len(seals_before) + 1
    finally:
        intake.close()
