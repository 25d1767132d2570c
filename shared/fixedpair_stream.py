"""A shredded melding's data keys sealed to a receiver's fixed pair, taken off the
stream (docs/privacy.md, "Boxes sealed to the fixed pair").

A box without an epoch (published before transport epochs, or while the receiver
offered no verified one) opens with a key derived from the receiver's keyring secret,
which stays; with it, the melding's content on the stream would outlive shredding. So
once triage's `melding_shredded` for a melding is on the stream, each of its messages
that holds such a box is replaced, as `shared.legacy_stream` replaces a message with
content in the clear, by a signed record with the envelope minus that box
(`shared.messaging.rewrites.without_fixed_boxes`), then deleted, as the NATS
administrator (it signs for each source and deletes by sequence).

A message goes only once every durable consumer that receives its subject has
acknowledged past it (its ack floor), or has nothing pending: one lagging consumer
holds back the messages it has not applied, not the rest. What it holds back is found
again on the next run, as is a message whose record went out before a cut-off (then it
is only deleted; the record's message id makes one published twice one message).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field

import orjson
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from shared.config import Settings
from shared.legacy_stream import publish_record, recorded_sequences
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN
from shared.messaging.rewrites import StreamRewrite, without_fixed_boxes
from shared.messaging.signing import HEADER, EventSigner, EventVerifier

SHREDDED = "meldingen.triage.melding_shredded"


@dataclass
class FixedBoxesTakenOff:
    erased: int = 0
    waiting: dict[str, int] = field(default_factory=dict)  # consumer: messages held back

    def lines(self) -> list[str]:
        said = [f"stream: {self.erased} messages of shredded meldingen with a key sealed "
                "to a fixed pair taken off"]
        said += [f"stream: consumer {name} has not applied {count} of them yet: "
                 "left for the next run" for name, count in sorted(self.waiting.items())]
        return said


@dataclass(frozen=True)
class _Candidate:
    sequence: int
    subject: str
    payload: bytes
    melding_id: str


async def take_off_fixed_boxes(settings: Settings, signers: dict[str, EventSigner],
                               verifier: EventVerifier, awaiting: Collection[str] = (),
                               wait: float = 10.0) -> FixedBoxesTakenOff:
    """`awaiting`: meldingen just shredded, whose `melding_shredded` triage's relay
    may not have published yet: waited for up to `wait` seconds if they have a box to
    take off."""
    nc = await connect(settings, name="meldingen-fixed-boxes", user=ADMIN)
    try:
        return await take_off(nc.jetstream(), settings.stream, signers, verifier,
                              awaiting, wait)
    finally:
        await nc.close()


async def take_off(js: JetStreamContext, stream: str, signers: dict[str, EventSigner],
                   verifier: EventVerifier, awaiting: Collection[str] = (),
                   wait: float = 10.0) -> FixedBoxesTakenOff:
    loop = asyncio.get_running_loop()
    until = loop.time() + wait
    shredded, candidates = await _scan(js, stream, set(signers), verifier)
    while any(c.melding_id in awaiting and c.melding_id not in shredded
              for c in candidates) and loop.time() < until:
        await asyncio.sleep(0.5)
        shredded, candidates = await _scan(js, stream, set(signers), verifier)
    recorded = await recorded_sequences(js, stream)
    consumers = [c for c in await js.consumers_info(stream) if c.config.durable_name]
    done = FixedBoxesTakenOff()
    for candidate in candidates:
        if candidate.melding_id not in shredded:
            continue
        behind = [c.name for c in consumers if _behind(c, candidate)]
        if behind:
            for name in behind:
                done.waiting[name] = done.waiting.get(name, 0) + 1
            continue
        source = candidate.subject.split(".")[1]
        if candidate.sequence not in recorded:
            record = StreamRewrite.of(candidate.sequence, candidate.payload,
                                      signers[source], without_fixed_boxes)
            assert record is not None  # a candidate holds a fixed pair's box
            await publish_record(js, stream, record, signers[source])
        await js.delete_msg(stream, candidate.sequence)
        done.erased += 1
    return done


async def _scan(js: JetStreamContext, stream: str, sources: set[str],
                verifier: EventVerifier) -> tuple[set[str], list[_Candidate]]:
    """The meldingen triage signed as shredded, and every message of `sources` (the
    services that seal keys) on the stream that seals one to a fixed pair."""
    shredded: set[str] = set()
    candidates: list[_Candidate] = []
    state = (await js.stream_info(stream)).state
    for sequence in range(max(state.first_seq, 1), state.last_seq + 1):
        try:
            message = await js.get_msg(stream, sequence)
        except NotFoundError:  # taken off already, or never there
            continue
        subject, payload = message.subject, message.data
        if subject is None or payload is None or subject.split(".")[1] not in sources:
            continue  # a rewrite record is no service's
        envelope = orjson.loads(payload)
        data = envelope.get("data") if isinstance(envelope, dict) else None
        if not isinstance(data, dict):
            continue
        if subject == SHREDDED and verifier.verify(
                "triage", payload, (message.headers or {}).get(HEADER, "")):
            shredded.add(str(data.get("melding_id")))
        elif without_fixed_boxes(envelope) is not None:
            candidates.append(_Candidate(sequence, subject, payload,
                                         str(data.get("melding_id"))))
    return shredded, candidates


def _behind(consumer: ConsumerInfo, candidate: _Candidate) -> bool:
    """Whether the consumer receives the message and may not have applied it: its ack
    floor is before it and something is pending or unacknowledged."""
    config = consumer.config
    filters = config.filter_subjects or ([config.filter_subject]
                                         if config.filter_subject else [])
    if filters and not any(_matches(f, candidate.subject) for f in filters):
        return False
    if consumer.ack_floor is not None and (consumer.ack_floor.stream_seq or 0
                                           ) >= candidate.sequence:
        return False
    return bool(consumer.num_pending or consumer.num_ack_pending)


def _matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` one token, `>` the rest."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for at, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > at
        if at >= len(tokens) or token not in ("*", tokens[at]):
            return False
    return len(tokens) == len(wanted)
