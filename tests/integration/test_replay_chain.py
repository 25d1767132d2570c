"""Signatures proved along each source's chain (`shared.messaging.chainproof`) catch
what a check of every signature catches: an altered body, a bad signature on a run's
last message, a forged event inserted into a chain. Each is shown through the
auditor's replay (chunks of 16 and 4,096) and reporting's live inbox (batches of 16
and 500), both against the figures of exactly the genuine messages, and the replay
that checks every signature gives the same digest. What the chain does not see, a
message whose signature header alone was altered, is shown too."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import orjson
import pytest
from nacl.signing import SigningKey

from services.reporting import bootstrap
from services.reporting.adapters import replay
from services.reporting.domain.figures import AnnualFigures
from shared.chain import GENESIS, envelope_hash
from shared.config import Settings
from shared.messaging.envelope import Envelope
from shared.messaging.signing import HEADER, EventSigner, signer_for
from tests.integration.test_reporting_year import caught_up
from tests.support import jetstream, replayed, running, signed
from tests.unit.test_annual_report import SOURCE, scripted_year

#: A key no source has.
OUTSIDER = EventSigner(base64.b64encode(bytes(SigningKey.generate())).decode())


@dataclass(frozen=True)
class Message:
    subject: str
    payload: bytes
    headers: dict[str, str]
    genuine: bool = True  # as its source published it: the figures count it


def published(settings: Settings) -> list[Message]:
    """The scripted year as the relays publish it: chained and signed per source."""
    heads: dict[str, str] = {}
    positions: dict[str, int] = {}
    messages = []
    for event in scripted_year():
        source = SOURCE[event.type]
        positions[source] = positions.get(source, 0) + 1
        envelope = Envelope.wrap(event, source=source, position=positions[source],
                                 prev=heads.get(source, GENESIS))
        payload = envelope.encode()
        heads[source] = envelope_hash(payload)
        messages.append(Message(envelope.subject, payload, signed(settings, envelope)))
    return messages


def received(messages: list[Message]) -> list[int]:
    return [i for i, m in enumerate(messages) if m.subject.endswith(".melding_received")]


def altered_body(messages: list[Message], _: Settings) -> list[Message]:
    """A melding's theme changed in the stream, its signature kept."""
    index = received(messages)[len(received(messages)) // 2]
    themes = {orjson.loads(messages[i].payload)["data"]["theme"] for i in received(messages)}
    body = orjson.loads(messages[index].payload)
    body["data"]["theme"] = sorted(themes - {body["data"]["theme"]})[0]
    messages[index] = replace(messages[index], genuine=False,
                              payload=orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    return messages


def bad_head_signature(messages: list[Message], settings: Settings) -> list[Message]:
    """The last message of intake (the head of its last run) signed over other bytes."""
    index = max(i for i, m in enumerate(messages) if m.subject.startswith("meldingen.intake."))
    headers = {**messages[index].headers, HEADER: signer_for(settings, "intake").sign(b"other")}
    messages[index] = replace(messages[index], headers=headers, genuine=False)
    return messages


def forged_insert(messages: list[Message], _: Settings) -> list[Message]:
    """A melding nobody filed, inserted into intake's chain after a genuine one, its
    prev that one's hash, signed with a key intake does not have."""
    index = received(messages)[2]
    body = orjson.loads(messages[index].payload)
    body["data"]["melding_id"] = str(uuid.uuid4())
    body["position"] += 1
    body["prev"] = envelope_hash(messages[index].payload)
    payload = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    forged = Message(messages[index].subject, payload,
                     {"Nats-Msg-Id": "forged", HEADER: OUTSIDER.sign(payload)}, genuine=False)
    return [*messages[:index + 1], forged, *messages[index + 1:]]


def figures_of(messages: list[Message]) -> str:
    figures = AnnualFigures()
    for message in messages:
        if message.genuine:
            body = orjson.loads(message.payload)
            figures.apply(body["type"], body["data"])
    return figures.digest()


TAMPERS: dict[str, Callable[[list[Message], Settings], list[Message]]] = {
    "altered body": altered_body, "bad head signature": bad_head_signature,
    "forged insert": forged_insert}


@pytest.mark.parametrize(("chunk", "batch"), [(16, 16), (4096, 500)])
@pytest.mark.parametrize("tamper", list(TAMPERS))
async def test_the_chain_catches_what_every_signature_catches(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, tamper: str, chunk: int,
    batch: int,
) -> None:
    settings = sqlite_settings
    monkeypatch.setattr(replay.ChainChunks, "CHUNK", chunk)
    monkeypatch.setattr(bootstrap, "INBOX_BATCH", batch)
    messages = TAMPERS[tamper](published(settings), settings)
    # Counted, the tampered message would change the figures.
    assert figures_of([replace(m, genuine=True) for m in messages]) != figures_of(messages)

    async with jetstream(settings) as js, running("reporting", settings) as reporting:
        last = 0
        for message in messages:
            last = (await js.publish(message.subject, message.payload,
                                     headers=message.headers)).seq
        await caught_up(reporting, last)
        _, _, live = reporting.application.live.snapshot()
        chained = await replayed(js, settings)
        every = await replayed(js, settings, every_signature=True)

    assert chained.counted == len(messages)
    assert chained.digest == every.digest == live == figures_of(messages)


async def test_a_signature_header_alone_altered_is_counted_by_the_chain_only(
    sqlite_settings: Settings,
) -> None:
    """The documented gap: a message inside a run whose bytes are its source's but
    whose signature header was altered is vouched for by its successor."""
    settings = sqlite_settings
    messages = published(settings)
    index = received(messages)[1]
    messages[index] = replace(messages[index], headers={
        **messages[index].headers, HEADER: OUTSIDER.sign(messages[index].payload)})
    async with jetstream(settings) as js:
        for message in messages:
            await js.publish(message.subject, message.payload, headers=message.headers)
        chained = await replayed(js, settings)
        every = await replayed(js, settings, every_signature=True)

    assert chained.digest == figures_of(messages)
    assert every.digest == figures_of([replace(messages[index], genuine=False)
                                         if i == index else m
                                         for i, m in enumerate(messages)])
    assert every.digest != chained.digest


async def test_the_replay_reads_to_the_stream_end_past_what_it_does_not_count(
    sqlite_settings: Settings,
) -> None:
    """A stream ending in a message the figures do not count (reporting's own
    checkpoint): the replay's last sequence is still the stream's last."""
    settings = sqlite_settings
    messages = published(settings)
    async with jetstream(settings) as js:
        for message in messages:
            await js.publish(message.subject, message.payload, headers=message.headers)
        last = (await js.publish("meldingen.reporting.checkpoint_signed", b"{}")).seq
        rebuilt = await replayed(js, settings)

    assert rebuilt.last == last
    assert rebuilt.counted == len(messages)
    assert rebuilt.digest == figures_of(messages)
