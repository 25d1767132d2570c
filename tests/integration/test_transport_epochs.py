"""Transport keys by epoch (docs/privacy.md, "Transport keys by epoch"): a receiver's
epochs rotate, end and outlive a restart; senders seal to the offered epoch, refuse a
badly signed entry, and seal a copy published again as the first was; a receiver down
across a rotation still takes in its backlog, and a redelivery after its epoch ended
is applied with the key from the key table."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import orjson
import pytest
import sqlalchemy
from eventsourcing.persistence import Tracking
from nats.js.api import AckPolicy, ConsumerConfig, RawStreamMsg
from nats.js.errors import NotFoundError

from services.intake.bootstrap import build_application
from services.intake.domain.submission import Submission
from shared.chain import envelope_hash
from shared.config import Settings
from shared.crypto import b64, unb64
from shared.datakeys import DataKey, KeyringError, ServiceKeys, seal_to
from shared.devsecrets import MAKERS
from shared.keyring import Keyring, MissingKey
from shared.messaging.envelope import Envelope
from shared.messaging.epochs import (
    DRAIN_SECONDS,
    REFRESH_SECONDS,
    EpochKeeper,
    key_value,
    signed_entry,
    verified_entry,
)
from shared.messaging.outbox import OutboxRelay
from shared.messaging.signing import EventSigner, signer_for, verifier_for
from shared.parking import count_parked
from tests.integration import reader
from tests.integration.test_shredding import MELDING, MELDPUNT
from tests.support import eventually, jetstream, ok, running, token

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_epochs_rotate_end_and_outlive_a_restart(settings: Settings) -> None:
    epochs = Keyring.for_service(settings, "triage").epochs
    assert epochs is not None
    assert epochs.rotate(at(0), every=60, grace=10)
    assert [e.number for e in epochs.offered()] == [1]
    assert not epochs.rotate(at(30), every=60, grace=10)  # not due: nothing changes
    assert epochs.rotate(at(60), every=60, grace=10)  # 2 made, 1 superseded
    assert [e.number for e in epochs.offered()] == [1, 2]
    assert not epochs.rotate(at(65), every=60, grace=10)  # 1 still in its grace
    assert epochs.rotate(at(70), every=60, grace=10)  # 1 marked: no longer offered
    assert [e.number for e in epochs.offered()] == [2]
    assert [e.number for e in epochs.marked()] == [1]
    first = epochs.private(1)
    assert first is not None

    # A restart keeps them; the private half is stored only wrapped.
    again = Keyring.for_service(settings, "triage").epochs
    assert again is not None
    private = again.private(1)
    assert private is not None and bytes(private) == bytes(first)
    with again.engine.connect() as connection:
        rows = connection.execute(sqlalchemy.select(again.table.c.wrapped)).scalars().all()
    assert rows and not any(bytes(first) in bytes(row) for row in rows)

    again.destroy(1, at(80))
    assert again.private(1) is None and again.marked() == []
    assert Keyring.for_service(settings, "triage").epochs.private(1) is None  # type: ignore[union-attr]
    assert [e.number for e in again.offered()] == [2]


def test_a_reading_during_a_destruction_keeps_no_private_half(
        sqlite_settings: Settings) -> None:
    """A reading of the epoch while its destruction is being committed (the inbox
    opening a box, the keeper's next tick) must not cache the private half after
    the destruction emptied the cache: it would stay in memory, and open boxes."""
    epochs = Keyring.for_service(sqlite_settings, "triage").epochs
    assert epochs is not None
    epochs.rotate(at(0), every=60, grace=10)
    read: list[object] = []
    readings: list[threading.Thread] = []

    def read_meanwhile(*_: object) -> None:  # just before the destruction commits
        reading = threading.Thread(target=lambda: read.append(epochs.private(1)))
        reading.start()
        reading.join(timeout=0.5)  # with the lock taken, it waits for the commit
        readings.append(reading)

    sqlalchemy.event.listen(epochs.engine, "commit", read_meanwhile)
    try:
        epochs.destroy(1, at(1))
    finally:
        sqlalchemy.event.remove(epochs.engine, "commit", read_meanwhile)
    [reading] = readings
    reading.join()
    assert read == [None] and epochs.private(1) is None


async def keeper_for(settings: Settings, js: object, moments: list[datetime],
                     service: str = "triage") -> EpochKeeper:
    ring = Keyring.for_service(settings, service)
    assert ring.epochs is not None
    keeper = EpochKeeper(ring.epochs, settings, service, signer_for(settings, service),
                         now=lambda: moments[0])
    keeper.every, keeper.grace = 60, 10
    await keeper.prepare(SimpleNamespace(nc=SimpleNamespace(jetstream=lambda: js)))
    return keeper


async def test_an_epoch_ends_only_a_drain_after_the_bucket_stopped_offering_it(
        sqlite_settings: Settings) -> None:
    """Marked in the table is not yet withdrawn: a keeper whose put failed (NATS away,
    a slow loop) offered the epoch until its next tick, and senders may seal to it
    until a drain after that, whatever the time since the mark."""
    settings = sqlite_settings
    moments = [at(0)]
    async with jetstream(settings) as js:
        await js.add_consumer(settings.stream, ConsumerConfig(
            durable_name="triage", filter_subjects=["meldingen.intake.>"],
            ack_policy=AckPolicy.ALL))  # the inbox's, with nothing pending
        keeper = await keeper_for(settings, js, moments)
        moments[0] = at(60)
        await keeper.keep()  # epoch 2 made, 1 offered in its grace
        keeper.epochs.rotate(at(70), keeper.every, keeper.grace)  # marked; not put
        moments[0] = at(80)  # a drain and more after the mark
        await keeper.keep()  # the entry without epoch 1 is put only now
        assert keeper.epochs.private(1) is not None
        assert verified_entry(verifier_for(settings), "triage",
                              (await kv_entry(js, settings)) or b"") == [
            (2, keeper.epochs.offered()[0].public_key)]

        async def ended() -> bool:
            await keeper.keep()
            return keeper.epochs.private(1) is None

        started = time.monotonic()
        await eventually(ended, timeout=20)
        assert time.monotonic() - started >= DRAIN_SECONDS - keeper.tick


async def kv_entry(js: object, settings: Settings) -> bytes | None:
    return (await key_value(js, settings).get("triage")).value  # type: ignore[arg-type]


async def test_a_sender_seals_to_the_offered_epoch_and_a_redelivery_needs_none(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    moments = [at(0)]
    async with jetstream(settings) as js:
        keeper = await keeper_for(settings, js, moments)
        intake = Keyring.for_service(settings, "intake")
        assert intake.recipients is not None
        await intake.recipients.refresh(js, lambda: 0)
        key = intake.create("m-1")
        sealed = intake.sealed_for(key, ["triage"], 1)["triage"]
        assert sealed.startswith("e1:")
        triage = Keyring.for_service(settings, "triage")
        assert triage.adopt("m-1", sealed).secret == key.secret
        # The fixed pair does not open it: only the epoch does.
        with pytest.raises(KeyringError):
            ServiceKeys(settings.keyring_secret_of("triage")).open_sealed(
                "m-1", unb64(sealed.partition(":")[2]))

        # The epoch ends; a redelivery of the same box is applied with the key kept.
        keeper.epochs.destroy(1, at(1))
        restarted = Keyring.for_service(settings, "triage")
        assert restarted.adopt("m-1", sealed).secret == key.secret
        # A box for a melding never adopted, sealed to the ended epoch, opens nothing.
        lost = intake.sealed_for(intake.create("m-2"), ["triage"], 1)["triage"]
        with pytest.raises(MissingKey):
            restarted.adopt("m-2", lost)


async def test_a_badly_signed_entry_is_refused_and_the_fixed_pair_used(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    forger = EventSigner(MAKERS["key32"]())
    async with jetstream(settings) as js:
        kv = key_value(js, settings)
        forged = ServiceKeys(MAKERS["key32"]())
        await kv.put("triage", signed_entry(forger, "triage", [(9, forged.public_key)]))
        # Investigation's own signature, but under triage's name: refused too.
        await kv.put("investigation", signed_entry(
            signer_for(settings, "investigation"), "triage", [(3, forged.public_key)]))
        intake = Keyring.for_service(settings, "intake")
        assert intake.recipients is not None
        await intake.recipients.refresh(js, lambda: 0)
        key = intake.create("m-1")
        sealed = intake.sealed_for(key, ["triage", "investigation"], 1)
        for receiver in ("triage", "investigation"):
            assert ":" not in sealed[receiver]  # the fixed pair, which still opens
            opened = ServiceKeys(settings.keyring_secret_of(receiver)).open_sealed(
                "m-1", unb64(sealed[receiver]))
            assert opened.secret == key.secret
        with pytest.raises(KeyringError):  # nothing the forger holds opens it
            forged.open_sealed("m-1", unb64(sealed["triage"]))

        keeper = await keeper_for(settings, js, [at(0)])  # triage's own, signed entry
        await asyncio.sleep(REFRESH_SECONDS)
        await intake.recipients.refresh(js, lambda: 1)
        assert intake.sealed_for(key, ["triage"], 2)["triage"].startswith("e1:")
        # Put over again, its entry is restored by the receiver's next tick.
        await kv.put("triage", signed_entry(forger, "triage", [(9, forged.public_key)]))
        await keeper.keep()
        assert verified_entry(verifier_for(settings), "triage",
                              (await kv.get("triage")).value or b"") == [
            (1, keeper.epochs.offered()[0].public_key)]


async def test_a_copy_published_again_across_a_rotation_is_the_same(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    moments = [at(0)]
    async with jetstream(settings) as js:
        keeper = await keeper_for(settings, js, moments)
        intake = Keyring.for_service(settings, "intake")
        assert intake.recipients is not None
        await intake.recipients.refresh(js, lambda: 0)  # pinned from position 1: epoch 1
        key = intake.create("m-1")
        first = intake.sealed_for(key, ["triage"], 3)

        moments[0] = at(60)
        await keeper.keep()  # epoch 2 made; 1 still offered, in its grace
        await asyncio.sleep(REFRESH_SECONDS)
        await intake.recipients.refresh(js, lambda: 5)  # stored up to 5: pinned from 6
        assert intake.sealed_for(key, ["triage"], 3) == first  # the same bytes
        assert intake.sealed_for(key, ["triage"], 6)["triage"].startswith("e2:")
        # After a restart of the sender too, from its pins.
        restarted = Keyring.for_service(settings, "intake")
        assert restarted.recipients is not None
        await restarted.recipients.refresh(js, lambda: 5)
        assert restarted.sealed_for(key, ["triage"], 3) == first

        moments[0] = at(70)
        await keeper.keep()  # epoch 1 marked: a copy now seals to the current one
        await asyncio.sleep(REFRESH_SECONDS)
        await restarted.recipients.refresh(js, lambda: 5)
        assert restarted.sealed_for(key, ["triage"], 3)["triage"].startswith("e2:")


async def test_a_receiver_down_across_a_rotation_takes_in_its_backlog(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={
        "transport_key_rotation_seconds": 2.0, "transport_key_grace_seconds": 1.5})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    async with running("intake", settings) as intake:
        async with running("triage", settings):
            await eventually(lambda: reader.offered_epochs(settings, "triage"))
        offered = await reader.offered_epochs(settings, "triage")  # as triage left it
        ids = [(await ok(intake.client.post("/api/meldingen", json=MELDING), 201))["id"]
               for _ in range(3)]

        async def sealed_to_offered() -> bool:
            received = [Envelope.model_validate(m) for m in
                        await reader.stream_messages(settings)]
            boxes = [e.data["keys"]["triage"] for e in received
                     if e.type == "melding_received" and e.data["melding_id"] in ids]
            return len(boxes) == 3 and all(b.startswith(f"e{offered[-1]}:") for b in boxes)

        await eventually(sealed_to_offered)
        # Down for longer than a rotation and its grace: it rotated nothing meanwhile.
        await asyncio.sleep(settings.transport_key_rotation_seconds
                            + settings.transport_key_grace_seconds)
        assert await reader.offered_epochs(settings, "triage") == offered

        async with running("triage", settings) as triage:
            async def taken_in() -> bool:
                answers = [await triage.client.get(f"/api/meldingen/{i}",
                                                   headers=MELDPUNT[0]) for i in ids]
                return all(a.is_success and a.json()["description"] == MELDING["description"]
                           for a in answers)

            await eventually(taken_in)
            app = triage.application
            assert app.keyring.epochs is not None

            def ended() -> bool:
                return app.keyring.epochs.private(offered[-1]) is None

            await eventually(ended, timeout=30)
            # A redelivery after the epoch ended is applied: its key is in the key table.
            [envelope] = [Envelope.model_validate(m) for m in
                          await reader.stream_messages(settings)
                          if m["type"] == "melding_received" and m["data"]["melding_id"] == ids[0]]
            app.process_event(envelope.event(), Tracking("redelivered", 1))
            assert app.keyring.shredding(ids[0]) is None
            answer = await ok(triage.client.get(f"/api/meldingen/{ids[0]}",
                                                headers=MELDPUNT[0]))
            assert answer["description"] == MELDING["description"]


async def test_a_relay_crash_across_a_rotation_keeps_the_stream_and_its_chain_agreed(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    intake = build_application(settings)  # this test is its relay
    try:
        intake.file_report(Submission(kind=MELDING["kind"], theme=MELDING["theme"],
                                      description=MELDING["description"], anonymous=True))
        moments = [at(0)]
        async with jetstream(settings) as js:
            keeper = await keeper_for(settings, js, moments)
            # A relay publishes, sealed to epoch 1, and dies before recording it.
            crashed = OutboxRelay(intake, js, signer_for(settings, "intake"))
            assert await crashed.publish_pending(record=False) > 0
            [first] = await reader.stream_messages(settings)
            assert first["data"]["keys"]["triage"].startswith("e1:")

            # Triage rotates meanwhile; the successor publishes the same batch again.
            moments[0] = at(60)
            await keeper.keep()
            await asyncio.sleep(REFRESH_SECONDS)
            successor = OutboxRelay(intake, js, signer_for(settings, "intake"))
            await successor.publish_pending()
            [kept] = await reader.stream_messages(settings)  # JetStream kept one copy
            assert kept == first
            # The chain hashed the bytes the stream holds: the same as the first's.
            last = (await js.stream_info(settings.stream)).state.last_seq
            on_stream = (await js.get_msg(settings.stream, last)).data or b""
            assert successor.chain.heads.stream_head == envelope_hash(on_stream)
    finally:
        intake.close()


async def test_a_parked_message_signed_by_its_source_brings_its_key_for_a_redo(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    async with running("intake", settings) as intake, jetstream(settings) as js:
        async with running("triage", settings):
            await eventually(lambda: reader.offered_epochs(settings, "triage"))

        async def on_stream(melding_id: str) -> RawStreamMsg | None:
            last = (await js.stream_info(settings.stream)).state.last_seq
            for sequence in range(1, last + 1):
                with contextlib.suppress(NotFoundError):
                    found = await js.get_msg(settings.stream, sequence)
                    if melding_id.encode() in (found.data or b""):
                        return found
            return None

        # Triage down: melding A's message is lost on its way, B's comes after it.
        lost = (await ok(intake.client.post("/api/meldingen", json=MELDING), 201))["id"]
        await eventually(lambda: on_stream(lost))
        original = await on_stream(lost)
        assert original is not None and original.seq is not None and original.data
        await js.delete_msg(settings.stream, original.seq)
        after = (await ok(intake.client.post("/api/meldingen", json=MELDING), 201))["id"]
        await eventually(lambda: on_stream(after))

        async with running("triage", settings) as triage:
            async def taken_in() -> bool:
                return (await triage.client.get(f"/api/meldingen/{after}",
                                                headers=MELDPUNT[0])).is_success

            await eventually(taken_in, timeout=20)
            app = triage.application
            assert app.keyring.epochs is not None
            [current] = app.keyring.epochs.offered()
            # A forger's copy first, bringing its own key for A (sealed to the public
            # epoch key, so the box opens): refused by its signature, it adopts nothing.
            body = orjson.loads(original.data)
            forged_key = DataKey.generate(lost)
            body["data"]["keys"]["triage"] = (
                f"e{current.number}:{b64(seal_to(current.public_key, forged_key))}")
            headers = dict(original.headers or {})
            await js.publish(original.subject or "", orjson.dumps(body),
                             headers={**headers, "Nats-Msg-Id": "forged-a"})
            # Then A's own message again, after B's position: parked as out of order.
            await js.publish(original.subject or "", original.data,
                             headers={**headers, "Nats-Msg-Id": "again-a"})
            await eventually(lambda: count_parked(app.recorder) == 2)
            assert (await triage.client.get(f"/api/meldingen/{lost}",
                                            headers=MELDPUNT[0])).status_code == 404

            # Its epoch ends; the operator redoes the parked message: it opens.
            app.keyring.epochs.destroy(current.number, datetime.now(UTC))
            envelope = Envelope.model_validate(orjson.loads(original.data))
            app.process_event(envelope.event(), Tracking("redone", 1))
            answer = await ok(triage.client.get(f"/api/meldingen/{lost}",
                                                headers=MELDPUNT[0]))
            assert answer["description"] == MELDING["description"]
