"""A shredded melding's keys sealed to a fixed pair leave the stream (docs/privacy.md,
"Boxes sealed to the fixed pair"): a keyed melding whose boxes were sealed to the
receivers' fixed pairs (no epoch offered, as before epochs) is walked to its closing
and shredded; the reader, with every key on the machine and the fixed pairs, still
finds its content on the stream, until its messages with such a box are taken off:
then it finds nothing, verify says ok and the replay matches. A consumer that has not
acknowledged a message holds it back (and only it) until it has; a run cut off between
a record and its deletion finishes on the next."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shared import legacy
from shared.config import Settings
from shared.fixedpair_stream import FixedBoxesTakenOff, take_off_fixed_boxes
from shared.legacy_stream import migrate_stream, publish_record, recorded_sequences
from shared.messaging.epochs import Recipients
from shared.messaging.nats import connect, ensure_stream
from shared.messaging.permissions import ADMIN
from shared.messaging.rewrites import StreamRewrite, without_fixed_boxes
from shared.messaging.signing import signer_for, verifier_for
from tests.integration import reader
from tests.integration.test_legacy_migration import all_sealed, audit, system
from tests.integration.test_shredding import MELDPUNT, closed_after_conversation, file
from tests.integration.test_shredding_leaves_nothing import DESCRIPTION
from tests.support import eventually, jetstream, ok, token

#: What of the melding travels on the stream under its key.
ON_STREAM = ("blauwe bakfiets", "Jan Jansen", "Wij nemen contact op over de zilveren",
             "Ik heb nog een foto van de oranje")
KEPT = "groene kruiwagen"
LAGGARD = "laggard"


def on_stream(messages: list[Any], settings: Settings) -> str:
    """The stream read with every key on the machine: the key tables' and every box
    any fixed pair or epoch left opens."""
    return reader.stream_text(messages, reader.kept_keys(settings)
                              + reader.sealed_keys(messages, settings))


def boxes_of(messages: list[Any], melding_id: str) -> list[str]:
    data = [m.get("data") or {} for m in messages]  # a rewrite record has none
    return [box for d in data if d.get("melding_id") == melding_id
            for box in (d.get("keys") or {}).values()]


async def taken_off(settings: Settings) -> FixedBoxesTakenOff:
    """What `meldingen retention run` does on the stream after the service's run."""
    signers = {service: signer_for(settings, service) for service in legacy.HOLDERS}
    return await take_off_fixed_boxes(settings, signers, verifier_for(settings))


async def test_a_shredded_meldings_fixed_pair_boxes_leave_the_stream(
        sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sqlite_settings
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    with monkeypatch.context() as patched:
        # No epoch offered to any sender: every key is sealed to the fixed pair.
        patched.setattr(Recipients, "choose", lambda *_: None)
        async with system(settings) as s:
            triage, intake = s["triage"].client, s["intake"].client
            melding_id, receipt = await file(s, DESCRIPTION)
            mailbox = await ok(intake.post("/api/mailbox/login", json={"receipt": receipt}))
            await ok(intake.post("/api/mailbox/messages", json={
                "body": "Ik heb nog een foto van de oranje fiets."},
                headers={"Authorization": f"Bearer {mailbox['token']}"}), 201)
            await ok(triage.post(f"/api/meldingen/{melding_id}/messages", headers=meldpunt,
                                 json={"body": "Wij nemen contact op over de zilveren pen."}))
            other_id = (await ok(intake.post("/api/meldingen", json={
                "kind": "integrity_violation", "theme": "gifts", "anonymous": True,
                "description": f"Een ander gaf een {KEPT}."}), 201))["id"]
            await closed_after_conversation(s, settings, melding_id)
            await all_sealed(s, settings)

    messages = await reader.stream_messages(settings)
    assert boxes_of(messages, melding_id) and not any(
        ":" in box for box in boxes_of(messages, melding_id))  # the fixed pairs'
    assert [t for t in ON_STREAM if t in on_stream(messages, settings)] == list(ON_STREAM)

    # Shredded (a 0-day term: triage's check at its start), its key tables' copies
    # gone, but the fixed pairs still open its boxes on the stream.
    settings = settings.model_copy(update={"retention_days": 0})
    async with system(settings) as s:
        async def shredded() -> bool:
            return (await s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                                 headers=meldpunt)).status_code == 410

        await eventually(shredded)
        await all_sealed(s, settings)
    messages = await reader.stream_messages(settings)
    assert not [k for k in reader.kept_keys(settings) if k.melding_id == melding_id]
    assert "blauwe bakfiets" in on_stream(messages, settings)

    async with jetstream(settings) as js:
        # A consumer that has not acknowledged intake's `melding_received` yet.
        await js.add_consumer(settings.stream, ConsumerConfig(
            durable_name=LAGGARD, filter_subjects=["meldingen.intake.>"],
            deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT))
        # A run cut off after triage's record went out, before its deletion.
        decided = await _sequence_of(js, settings, "meldingen.triage.melding_decided",
                                     melding_id)
        payload = (await js.get_msg(settings.stream, decided)).data
        assert payload is not None
        record = StreamRewrite.of(decided, payload, signer_for(settings, "triage"),
                                  without_fixed_boxes)
        assert record is not None
        await publish_record(js, settings.stream, record, signer_for(settings, "triage"))

        first = await taken_off(settings)
        assert first.erased == 1 and first.waiting == {LAGGARD: 1}
        assert "blauwe bakfiets" in on_stream(await reader.stream_messages(settings),
                                              settings)
        # The laggard acknowledges up to the message, with more still pending after it:
        # its ack floor is past the message, so it goes though the system is busy.
        received = await _sequence_of(js, settings, "meldingen.intake.melding_received",
                                      melding_id)
        subscription = await js.pull_subscribe_bind(LAGGARD, stream=settings.stream)
        acked = 0
        while acked < received:
            for message in await subscription.fetch(1, timeout=5):
                acked = message.metadata.sequence.stream
                await message.ack_sync()
        assert (await js.consumer_info(settings.stream, LAGGARD)).num_pending > 0

        second = await taken_off(settings)
        assert second.erased == 1 and second.waiting == {}
        assert [r for r in await _records(js, settings) if r == decided] == [decided]
        assert {decided, received} <= await recorded_sequences(js, settings.stream)
        await subscription.unsubscribe()
        await js.delete_consumer(settings.stream, LAGGARD)

    # After: nothing of it on the stream, with every key left; the kept melding's box
    # stays (it is not shredded), and a third run has nothing to do.
    messages = await reader.stream_messages(settings)
    text = on_stream(messages, settings)
    assert [t for t in ON_STREAM if t in text] == []
    assert not [k for k in reader.sealed_keys(messages, settings)
                if k.melding_id == melding_id]
    assert KEPT in text and boxes_of(messages, other_id)
    assert (await taken_off(settings)).erased == 0
    async with system(settings) as s:
        await audit(s, settings)


async def _sequence_of(js: Any, settings: Settings, subject: str, melding_id: str) -> int:
    state = (await js.stream_info(settings.stream)).state
    for sequence in range(max(state.first_seq, 1), state.last_seq + 1):
        try:
            message = await js.get_msg(settings.stream, sequence)
        except NotFoundError:  # taken off
            continue
        if message.subject == subject and orjson.loads(message.data)["data"].get(
                "melding_id") == melding_id:
            return int(sequence)
    raise AssertionError(f"no {subject} of the melding")


async def _records(js: Any, settings: Settings) -> list[int]:
    """The sequences named by each rewrite record on the stream, one per record."""
    named: list[int] = []
    state = (await js.stream_info(settings.stream)).state
    for sequence in range(max(state.first_seq, 1), state.last_seq + 1):
        try:
            message = await js.get_msg(settings.stream, sequence)
        except NotFoundError:  # taken off
            continue
        if str(message.subject).startswith("meldingen.rewrites."):
            named.append(int(orjson.loads(message.data)["sequence"]))
    return named


async def test_a_new_empty_stream_has_nothing_to_take_off(sqlite_settings: Settings) -> None:
    """A fresh stream's first sequence is 0, which NATS refuses to get."""
    settings = sqlite_settings
    nc = await connect(settings, name="test", user=ADMIN)
    try:
        await ensure_stream(nc.jetstream(), settings)
    finally:
        await nc.close()
    assert (await taken_off(settings)) == FixedBoxesTakenOff()
    signers = {service: signer_for(settings, service) for service in legacy.HOLDERS}
    assert (await migrate_stream(settings, signers)).erased == 0
    assert await reader.stream_messages(settings) == []
