"""The inbox: feeds integration events into a service's `policy`, each applied exactly
once, in the same transaction as a tracking record (the consumer's lifecycle is in
`shared.messaging.consumer`).

The tracking record is (stream, stream sequence), and it is what the inbox resumes
from: a redelivered message (at or below it) is only acknowledged, and a message
delivered but never applied (a crash, a lost connection) is delivered again. Copies
that the relay re-published are dropped by JetStream's de-duplication.

Only what `shared.messaging.admission` admits is applied: signed by its source (with
`chain_proof`, proved along the source's chain in the batch: `chainproof`),
on its source's subject, after the last position applied from that source (each
source's position is tracked as `<stream>.<source>` in the same transaction). A
refused message is parked (`shared.parking`) in place of being applied, with one
warning naming its subject and sequence, and the inbox goes on with the next; the
key a parked message signed by its source brings is adopted (`adopt_parked_key`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared.application import ServiceApplication
from shared.contracts import IntegrationEvent
from shared.keyring import Keyring, KeyringError, MissingKey, Shredded
from shared.messaging.admission import Admitted, admit, parse, signature_holds
from shared.messaging.chainproof import chain_verdicts
from shared.messaging.consumer import PullConsumer, ack, delivery
from shared.messaging.signing import EventVerifier
from shared.parking import Parking, count_parked
from shared.recorders import InboxTracking

log = logging.getLogger("meldingen.inbox")


@dataclass(frozen=True)
class Item:
    """One delivered message as the inbox will apply it."""

    sequence: int
    event: IntegrationEvent | Parking
    source: Tracking | None = None  # the source's position, for an admitted event
    body: dict[str, Any] | None = None  # its envelope as parsed, for an admitted event


class Inbox(PullConsumer):
    def __init__(
        self,
        app: ServiceApplication,
        js: JetStreamContext,
        *,
        stream: str,
        sources: list[str],
        verifier: EventVerifier,
        durable: str | None = None,
        batch_size: int = 100,
        chain_proof: bool = False,
    ) -> None:
        super().__init__(js, stream=stream, subjects=[f"meldingen.{s}.>" for s in sources],
                         durable=durable or app.name, batch_size=batch_size)
        self.app = app
        self.sources = list(sources)
        self.verifier = verifier
        # Signatures proved along each source's chain in a batch (`chainproof`): one
        # Ed25519 check per run of a source's messages, not one per message.
        self.chain_proof = chain_proof
        # The stored positions, kept once read: this inbox is their only writer.
        # Forgotten (read again) after a failed batch, whose transaction may or may not
        # have ended.
        self._applied: int | None = None
        self._from: dict[str, int] | None = None
        self._parked: int | None = None

    def position(self) -> int:
        """The last stream sequence applied (0 before the first), as stored."""
        self._applied = self.app.recorder.max_tracking_id(self.stream) or 0
        self._from = None
        return self._applied

    def source_position(self, source: str) -> int:
        """The last position applied from `source` (0 before the first)."""
        if self._from is None:
            self._from = {}
        if source not in self._from:
            self._from[source] = self.app.recorder.max_tracking_id(
                f"{self.stream}.{source}") or 0
        return self._from[source]

    def parked(self) -> int:
        """How many messages this service parked, ever (for /readyz)."""
        if self._parked is None:
            self._parked = count_parked(self.app.recorder)
        return self._parked

    # -- admission -----------------------------------------------------------------

    def items(self, messages: list[Msg], position: int) -> list[Item]:
        """The messages after `position`, admitted or parked, in stream order."""
        items: list[Item] = []
        seen: dict[str, int] = {}  # positions admitted earlier in this batch
        # Those applied before are left out: only their ack is missing.
        numbered = ((delivery(m)[0], m) for m in messages)
        fresh = sorted(((sequence, m) for sequence, m in numbered if sequence > position),
                       key=lambda pair: pair[0])
        parsed = [parse(message.data) for _, message in fresh]
        signed: list[bool | None] = [None] * len(fresh)
        if self.chain_proof:
            signed[:] = chain_verdicts([(m.subject, m.headers, m.data, body) for (_, m), body
                                        in zip(fresh, parsed, strict=True)], self.verifier)
        for (sequence, message), body, holds in zip(fresh, parsed, signed, strict=True):
            verdict = admit(message.subject, message.headers, message.data, self.verifier,
                            lambda s: seen.get(s) or self.source_position(s),
                            signed=holds, parsed=body)
            if isinstance(verdict, Admitted):
                source = verdict.envelope.source
                seen[source] = verdict.envelope.position
                items.append(Item(sequence, verdict.event,
                                  Tracking(f"{self.stream}.{source}", seen[source]),
                                  verdict.body))
            else:
                self.adopt_parked_key(message, body, holds)
                items.append(Item(sequence, Parking(self.stream, sequence, message.subject,
                                                    verdict.reason, message.data)))
        return items

    def adopt_parked_key(self, message: Msg, body: Any, signed: bool | None) -> None:
        """A refused message its source did sign (a replay, one out of order) may be
        redone by an operator after the epoch its key was sealed to has ended: its key
        is adopted now, while the box opens, and is shredded with the melding's. A
        message not signed by its source adopts nothing: its box, sealed to a public
        key, could bring any key, which would then take the melding's place.
        `body` and `signed`: as `admit` took them (`signed` None: not yet taken)."""
        keyring = getattr(self.app, "keyring", None)
        if not isinstance(keyring, Keyring) or keyring.epochs is None:
            return
        if not (signature_holds((message.subject, message.headers, message.data),
                                self.verifier) if signed is None else signed):
            return
        try:
            data = body["data"]
            melding_id, sealed = data["melding_id"], data["keys"][keyring.service]
            if isinstance(melding_id, str) and isinstance(sealed, str):
                keyring.adopt(melding_id, sealed)
        except (KeyError, TypeError, ValueError, KeyringError, MissingKey, Shredded):
            return  # nothing to keep: no key for this service, or none that opens

    # -- applying ------------------------------------------------------------------

    async def handle_batch(self, messages: list[Msg]) -> None:
        """Apply a fetched batch in one transaction; if that fails, one at a time."""
        try:
            await asyncio.to_thread(self.apply_batch, messages)
        except Exception as exc:  # noqa: BLE001 - find the one that fails, in order
            if len(messages) > 1:
                log.warning("batch failed, applying one by one",
                            extra={"error": type(exc).__name__})
        else:
            if messages:  # the consumer acks all up to it (AckPolicy.ALL)
                await ack(max(messages, key=lambda m: delivery(m)[0]))
            return
        for message in messages:
            if self._stopping:
                return  # what is not applied is delivered again after a restart
            await self.handle(message)

    def apply_batch(self, messages: list[Msg]) -> None:
        position = self._applied if self._applied is not None else self.position()
        items = self.items(messages, position)
        if not items:
            return
        sources = {item.source.application_name: item.source
                   for item in items if item.source is not None}
        self._commit(items, InboxTracking(self.stream, items[-1].sequence,
                                          sources=tuple(sources.values())))

    async def handle(self, message: Msg) -> None:
        """Apply one delivered message (retrying until the store takes it), then ack it."""
        sequence = delivery(message)[0]
        delay = 0.1
        while True:
            try:
                await asyncio.to_thread(self.apply_message, message)
                break
            except Exception as exc:  # noqa: BLE001 - the store is away: retry, in order
                log.warning("apply failed, retrying",
                            extra={"sequence": sequence, "error": type(exc).__name__})
                self._applied, self._from = None, None
                if self._stopping:
                    return
                with contextlib.suppress(Exception):  # only extends the ack deadline
                    await message.in_progress()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        await ack(message)

    def apply_message(self, message: Msg) -> bool:
        sequence = delivery(message)[0]
        if self.app.recorder.has_tracking_id(self.stream, sequence):
            return False
        [item] = self.items([message], 0)
        return self.apply(sequence, item.event, item.source)

    def apply(self, sequence: int, event: IntegrationEvent | Parking,
              source: Tracking | None = None) -> bool:
        """Apply one event exactly once; False if it had been applied before."""
        if self.app.recorder.has_tracking_id(self.stream, sequence):
            return False
        tracking = InboxTracking(self.stream, sequence,
                                 sources=(source,) if source is not None else ())
        try:
            self._commit([Item(sequence, event, source)], tracking)
        except IntegrityError:
            if self.app.recorder.has_tracking_id(self.stream, sequence):
                return False  # applied concurrently by another delivery
            raise  # a version conflict on an aggregate: retry
        return True

    def _commit(self, items: list[Item], tracking: InboxTracking) -> None:
        """Apply in one transaction; then the positions in memory move, and each
        parked message is logged once."""
        known = dict(self._from or {})
        self._applied, self._from = None, None
        self.app.process_admitted([item.event for item in items], tracking,
                                  [item.body for item in items])
        prefix = f"{self.stream}."
        self._applied = tracking.notification_id
        self._from = known | {t.application_name.removeprefix(prefix): t.notification_id
                              for t in tracking.sources}
        for item in items:
            if isinstance(item.event, Parking):
                if self._parked is not None:
                    self._parked += 1
                log.warning("message parked", extra={
                    "subject": item.event.subject, "sequence": item.sequence,
                    "reason": item.event.reason})
