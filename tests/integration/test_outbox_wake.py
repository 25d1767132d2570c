"""The outbox relay wakes at once only for commits that hold an integration event; the
rest (here: the sealed identity read by the adviser) are chained by its next poll."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy
from eventsourcing.persistence import Tracking

from bench import seed
from services.intake.bootstrap import build_application
from services.intake.domain.submission import Submission
from services.triage.bootstrap import build_application as build_triage
from shared.config import Settings
from shared.contracts import MeldingReceived
from shared.messaging.envelope import Envelope
from shared.messaging.keyed import open_event, seal
from shared.messaging.outbox import OutboxRelay
from shared.messaging.signing import signer_for
from tests.support import eventually, jetstream


def anonymous_with_identity() -> Submission:
    """An anonymous melding whose identity intake seals (so the adviser can read it)."""
    return Submission(kind="wrongdoing", theme="other", description="Melding met identiteit.",
                      anonymous=True, identity={"name": "Jan Jansen", "email": "jan@example.org"})


async def test_a_commit_wakes_the_relay_only_if_it_holds_an_integration_event(
    sqlite_settings: Settings,
) -> None:
    """Filing (melding_received) sets the relay's wake event from the committing thread;
    reading the sealed identity (no integration event) leaves it unset."""
    intake = build_application(sqlite_settings)
    try:
        async with jetstream(sqlite_settings) as js:
            relay = OutboxRelay(intake, js, signer_for(sqlite_settings, "intake"))
            relay._wake.clear()
            filed = await asyncio.to_thread(intake.file_report, anonymous_with_identity())
            await asyncio.sleep(0.05)
            assert relay._wake.is_set()

            relay._wake.clear()
            before = intake.recorder.max_notification_id()
            await asyncio.to_thread(intake.read_sealed_identity, filed.id, by="adviser")
            assert intake.recorder.max_notification_id() > before  # a commit was made
            await asyncio.sleep(0.05)
            assert not relay._wake.is_set()
    finally:
        intake.close()


async def test_a_commit_that_did_not_wake_the_relay_is_chained_within_the_poll_interval(
    sqlite_settings: Settings,
) -> None:
    """A running relay records the position of a commit that did not wake it by its next
    poll (poll_interval 0.2 s), so such commits are chained without a wake-up."""
    intake = build_application(sqlite_settings)
    try:
        filed = intake.file_report(anonymous_with_identity())
        async with jetstream(sqlite_settings) as js:
            relay = OutboxRelay(intake, js, signer_for(sqlite_settings, "intake"),
                                poll_interval=0.2)
            task = asyncio.create_task(relay.run())
            try:
                await eventually(lambda: relay.position() == intake.recorder.max_notification_id())
                await asyncio.to_thread(intake.read_sealed_identity, filed.id, by="adviser")
                target = intake.recorder.max_notification_id()
                assert relay.position() < target
                await eventually(lambda: relay.position() == target, timeout=2.0)
            finally:
                relay.stop()
                await asyncio.wait_for(task, timeout=10)
    finally:
        intake.close()


async def test_the_relay_chains_an_event_that_publishes_nothing_without_reading_it_back(
    sqlite_settings: Settings,
) -> None:
    """Triage taking in a sealed melding_received commits an event that publishes
    nothing: the relay chains it from what the commit showed, without reading it back
    and so without reading the melding's key from triage's key table (which a backlog
    paid once per melding)."""
    intake = build_application(sqlite_settings)
    triage = build_triage(sqlite_settings)
    try:
        received = seed.received(7)
        assert intake.keyring is not None and triage.keyring is not None
        intake.keyring.create_many([received.melding_id])
        key_reads: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "melding_keys" in statement:
                key_reads.append(statement)

        engine = triage.keyring.store.engine
        sqlalchemy.event.listen(engine, "before_cursor_execute", count)
        async with jetstream(sqlite_settings) as js:
            relay = OutboxRelay(triage, js, signer_for(sqlite_settings, "triage"))
            await asyncio.to_thread(triage.process_batch, [
                seal(received, intake.keyring, "intake:1", 1)], Tracking(sqlite_settings.stream, 1))
            assert await relay.publish_pending() == 1
        assert relay.position() == triage.recorder.max_notification_id()
        assert key_reads == []
    finally:
        intake.close()
        triage.close()


async def test_the_relay_publishes_a_filing_from_its_commit_without_reading_it_back(
    sqlite_settings: Settings,
) -> None:
    """The commit callback keeps the filing's melding_received, made from the
    committed events: the relay publishes it without reading the stored event back
    and decrypting it, and what goes out opens at triage to what was filed."""
    intake = build_application(sqlite_settings)
    triage = build_triage(sqlite_settings)
    try:
        assert triage.keyring is not None
        async with jetstream(sqlite_settings) as js:
            relay = OutboxRelay(intake, js, signer_for(sqlite_settings, "intake"))
            read_back: list[int] = []
            decode = intake.mapper.to_domain_event

            def counting(notification: Any) -> Any:
                read_back.append(notification.id)
                return decode(notification)

            intake.mapper.to_domain_event = counting  # type: ignore[method-assign]
            filed = await asyncio.to_thread(intake.file_report, anonymous_with_identity())
            assert await relay.publish_pending() == intake.recorder.max_notification_id()
            assert read_back == []
            message = await js.get_last_msg(sqlite_settings.stream,
                                            "meldingen.intake.melding_received")
        event = open_event(Envelope.decode(message.data).event(), triage.keyring)
        assert isinstance(event, MeldingReceived)
        assert event.melding_id == str(filed.id)
        assert event.description == "Melding met identiteit."
    finally:
        intake.close()
        triage.close()
