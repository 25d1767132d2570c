"""Reading the whole JetStream stream from its first message, as fast as nats-py goes.

An ordered consumer (ephemeral, push, no acks, flow-controlled, restarted by the
client on a gap) delivers every message in stream order; the callback does only
what the caller needs, and reading stops at a given stream sequence or at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared.errors import Unavailable
from shared.messaging.consumer import delivery
from shared.messaging.rewrites import PREFIX as REWRITE_PREFIX
from shared.messaging.rewrites import SUBJECTS as REWRITE_SUBJECTS
from shared.messaging.rewrites import StreamRewrite
from shared.messaging.signing import EventVerifier

#: (stream sequence, subject, payload, headers) of each message, in order.
OnMessage = Callable[[int, str, bytes, dict[str, str] | None], None]


async def read_stream(
    js: JetStreamContext,
    stream: str,
    on_message: OnMessage,
    *,
    upto: int | None = None,
    after: int = 0,
    subject: str = "meldingen.>",
    idle_timeout: float = 10.0,
) -> int:
    """Feed every message after sequence `after` up to `upto` (or the current end) to
    `on_message`; returns how many were read."""
    state = (await js.stream_info(stream)).state
    last = state.last_seq if upto is None else min(upto, state.last_seq)
    if state.messages == 0 or last < max(state.first_seq, after + 1):
        return 0
    done = asyncio.get_running_loop().create_future()
    count = 0

    async def deliver(msg: Msg) -> None:
        nonlocal count
        if done.done():
            return
        sequence, _, pending = delivery(msg)
        if sequence > last:
            done.set_result(None)
            return
        count += 1
        try:
            on_message(sequence, msg.subject, msg.data, msg.headers)
        except Exception as exc:  # noqa: BLE001 - stop reading and report it to the caller
            done.set_exception(exc)
            return
        if sequence >= last or pending == 0:
            done.set_result(None)

    start = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                           opt_start_seq=after + 1) if after else None
    subscription = await js.subscribe(subject, stream=stream, ordered_consumer=True,
                                      cb=deliver, pending_msgs_limit=256 * 1024, config=start)
    try:
        progress = -1
        while not done.done():
            # No deadline on the whole read (a million messages take a while), only on
            # silence: a stream that stops delivering is reported, not waited for.
            if progress == count:
                raise Unavailable("The event stream stopped delivering during the read.")
            progress = count
            await asyncio.wait([done], timeout=idle_timeout)
        await done
    finally:
        with contextlib.suppress(Exception):  # TimeoutError included: NATS is away
            await asyncio.wait_for(subscription.unsubscribe(), timeout=5)
    return count


async def rewrites_on(js: JetStreamContext, stream: str, verifier: EventVerifier
                      ) -> list[StreamRewrite]:
    """The records of messages taken off the stream (`shared.messaging.rewrites`) that
    their source signed, by sequence; a record that is not signed so is left out, and
    its gap is then named by verify."""
    info = await js.stream_info(stream, subjects_filter=REWRITE_SUBJECTS)
    if not info.state.subjects:
        return []
    found: dict[int, StreamRewrite] = {}

    def keep(_: int, subject: str, payload: bytes, headers: dict[str, str] | None) -> None:
        record = StreamRewrite.decode(subject, payload, headers, verifier)
        if record is not None:
            found.setdefault(record.sequence, record)

    await read_stream(js, stream, keep, subject=REWRITE_SUBJECTS)
    return [found[sequence] for sequence in sorted(found)]


class InPlace:
    """Feeds the stream's messages on, each rewrite's redacted envelope in the place
    of the message it took off (before the first later message; if the message is
    there still, it goes on instead, as for a migration cut off before it deleted
    it). `finish` feeds the ones after the last message read."""

    def __init__(self, rewrites: list[StreamRewrite], on_message: OnMessage,
                 on_rewrite: Callable[[StreamRewrite], None] | None = None,
                 after: int = 0) -> None:
        self.pending = deque(r for r in rewrites if r.sequence > after)
        self.on_message = on_message
        self.on_rewrite = on_rewrite or (lambda r: on_message(*r.in_place()))

    def __call__(self, sequence: int, subject: str, payload: bytes,
                 headers: dict[str, str] | None) -> None:
        if self.pending:  # empty once every rewrite is in place (most streams: from the start)
            self.up_to(sequence)
            if self.pending and self.pending[0].sequence == sequence:
                self.pending.popleft()
        if not subject.startswith(REWRITE_PREFIX):
            self.on_message(sequence, subject, payload, headers)

    def up_to(self, sequence: int | None) -> None:
        while self.pending and (sequence is None or self.pending[0].sequence < sequence):
            self.on_rewrite(self.pending.popleft())

    def finish(self, upto: int | None = None) -> None:
        """The rewrites up to `upto` (the end of what was read) not yet fed."""
        self.up_to(None if upto is None else upto + 1)
