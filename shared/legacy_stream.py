"""The stream's part of migrating meldingen filed before per-melding keys
(docs/privacy.md, "Meldingen filed before keys"): every integration event that carries
content in the clear is replaced by a signed record with that content left out
(`shared.messaging.rewrites`) and then deleted, as the NATS administrator.

Only once every consumer has applied everything (no durable consumer with a message
pending or unacknowledged): a message is deleted only after all its readers have it.
Resumable: a message whose record is on the stream already is only deleted; the
record's message id makes a record published twice one message.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.config import Settings
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN
from shared.messaging.rewrites import SUBJECTS, StreamRewrite, subject_of
from shared.messaging.signing import HEADER, EventSigner


@dataclass
class StreamMigrated:
    erased: int = 0
    waiting: list[str] | None = None  # the consumers not caught up: nothing was done

    def lines(self) -> list[str]:
        if self.waiting:
            return [f"stream: consumers {', '.join(self.waiting)} have not applied "
                    "everything yet: nothing taken off; run again once they have"]
        return [f"stream: {self.erased} messages with content in the clear taken off"]


async def migrate_stream(settings: Settings, signers: dict[str, EventSigner]
                         ) -> StreamMigrated:
    nc = await connect(settings, name="meldingen-migrate", user=ADMIN)
    try:
        return await take_off(nc.jetstream(), settings.stream, signers)
    finally:
        await nc.close()


async def take_off(js: JetStreamContext, stream: str, signers: dict[str, EventSigner]
                   ) -> StreamMigrated:
    waiting = [c.name for c in await js.consumers_info(stream)
               if c.config.durable_name and (c.num_pending or c.num_ack_pending)]
    if waiting:
        return StreamMigrated(waiting=sorted(waiting))
    recorded = await recorded_sequences(js, stream)
    state = (await js.stream_info(stream)).state
    done = StreamMigrated()
    for sequence in range(max(state.first_seq, 1), state.last_seq + 1):
        try:
            message = await js.get_msg(stream, sequence)
        except NotFoundError:  # taken off already, or never there
            continue
        if message.subject is None or message.data is None:
            continue
        if sequence in recorded:  # its record went out before a cut-off: it only goes
            await js.delete_msg(stream, sequence)
            done.erased += 1
            continue
        source = message.subject.split(".")[1]
        if source not in signers:  # not a service's event (a rewrite record itself)
            continue
        record = StreamRewrite.of(sequence, message.data, signers[source])
        if record is None:
            continue
        await publish_record(js, stream, record, signers[source])
        await js.delete_msg(stream, sequence)
        done.erased += 1
    return done


async def publish_record(js: JetStreamContext, stream: str, record: StreamRewrite,
                         signer: EventSigner) -> None:
    """A record on the stream, signed with its source's key; published twice (after a
    cut-off), it is one message."""
    payload = record.encode()
    await js.publish(subject_of(record.source), payload, stream=stream, headers={
        HEADER: signer.sign(payload), "Nats-Msg-Id": f"rewrite:{record.source}:"
                                                     f"{record.sequence}"})


async def recorded_sequences(js: JetStreamContext, stream: str) -> set[int]:
    """The sequences the stream's rewrite records name (the migration's own, read as
    the administrator; they are checked where they are used)."""
    found: set[int] = set()
    sequence = 1
    while True:
        try:
            message = await js.get_msg(stream, sequence, subject=SUBJECTS, next=True)
        except NotFoundError:
            return found
        if message.data is not None:
            found.add(int(orjson.loads(message.data)["sequence"]))
        assert message.seq is not None
        sequence = message.seq + 1
