"""Transport keys by epoch on NATS (docs/privacy.md, "Transport keys by epoch").

- A receiving service (`EpochKeeper`, beside its inbox) rotates its epochs, and puts
  the ones it offers, signed with its event signing key, under its own name in the KV
  bucket `<stream>_transport_keys` (checked every tick, put again if it differs);
  it destroys a marked epoch once its durable
  consumer has nothing pending or unacknowledged, some seconds after it saw the
  bucket's entry without it.
- A sender (`Recipients`, in its relay, before it seals a key) reads those entries at
  most `REFRESH_SECONDS` before, refuses one whose signature does not verify, and seals
  each data key to the receiver's current epoch, or to the epoch pinned for the
  event's outbox position while the receiver still offers it (a copy published again
  seals as the first did). Without a verified entry: the receiver's fixed pair.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from shared.config import Settings
from shared.crypto import b64, unb64
from shared.messaging.signing import EventSigner, EventVerifier
from shared.transportkeys import RECEIVERS, EpochStore, OutboxPins, Pin, transport_bucket

log = logging.getLogger("meldingen.epochs")

#: How old a sender's reading of the entries may be, at most.
REFRESH_SECONDS = 1.0
#: After the bucket is seen without a marked epoch, how long at least before the
#: consumer's state can end it: a sender's refresh plus its publish timeout, so a copy
#: sealed to it before is on the stream (and counted pending) by then. The keeper
#: waits the grace as well when that is longer (an hour by default): a relay stalled
#: for less than that (a reconnect's buffered publish, a paused process) still lands
#: its copy while the epoch opens it.
DRAIN_SECONDS = REFRESH_SECONDS + 5.0


def bucket(settings: Settings) -> str:
    return transport_bucket(settings.stream)


def key_value(js: JetStreamContext, settings: Settings) -> KeyValue:
    """The bucket without asking for its stream's info: a service may only get and
    (a receiver) put its own key."""
    name = bucket(settings)
    return KeyValue(name=name, stream=f"KV_{name}", pre=f"$KV.{name}.", js=js, direct=False)


def signed_entry(signer: EventSigner, service: str, offered: list[tuple[int, bytes]]) -> bytes:
    entry = orjson.dumps({"service": service,
                          "epochs": [[number, b64(key)] for number, key in offered]})
    return orjson.dumps({"entry": entry.decode(), "signature": signer.sign(entry)})


def verified_entry(verifier: EventVerifier, service: str, value: bytes
                   ) -> list[tuple[int, bytes]] | None:
    """The epochs offered, oldest first; None unless `service` signed it for itself."""
    try:
        outer = orjson.loads(value)
        entry = outer["entry"].encode()
        if not verifier.verify(service, entry, outer["signature"]):
            return None
        inner = orjson.loads(entry)
        if inner["service"] != service:
            return None
        return [(int(number), unb64(key)) for number, key in inner["epochs"]]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


class EpochKeeper:
    """A receiver's companion in its messaging runtime (`shared.runtime`)."""

    def __init__(self, epochs: EpochStore, settings: Settings, service: str,
                 signer: EventSigner, now: Callable[[], datetime] | None = None) -> None:
        self.epochs = epochs
        self.settings = settings
        self.service = service
        self.signer = signer
        # Wall-clock time, not the service's injected clock: the grace and the drain
        # must pass for the senders, whose clocks a test does not move.
        self.now = now or (lambda: datetime.now(UTC))
        self.every = settings.transport_key_rotation_seconds
        self.grace = settings.transport_key_grace_seconds
        self.tick = min(1.0, self.every / 4, self.grace / 4)
        self._js: JetStreamContext | None = None
        self._stopping = asyncio.Event()
        # When (monotonic) the bucket was first seen to hold an entry without each
        # marked epoch: senders stop sealing to it only from then on, which may be
        # ticks after the mark (a put that failed, a slow loop). Forgotten at a
        # restart, which only starts the wait again.
        self._withdrawn: dict[int, float] = {}

    async def prepare(self, runtime: Any) -> None:
        self._js = runtime.nc.jetstream()
        try:
            await self.keep()  # an epoch to offer before the inbox and relay start
        except Exception as exc:  # noqa: BLE001 - the next tick tries again
            log.warning("transport keys not kept", extra={"error": type(exc).__name__})

    async def run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.tick)
            if self._stopping.is_set():
                return
            try:
                await self.keep()
            except Exception as exc:  # noqa: BLE001 - NATS or the store away: next tick
                log.warning("transport keys not kept", extra={"error": type(exc).__name__})

    def stop(self) -> None:
        self._stopping.set()

    async def keep(self) -> None:
        now = self.now()
        await asyncio.to_thread(self.epochs.rotate, now, self.every, self.grace)
        offered = [(e.number, e.public_key)
                   for e in await asyncio.to_thread(self.epochs.offered)]
        assert self._js is not None
        # Read back every tick and put again if it differs (a change, a bucket made
        # anew, an entry someone else managed to put): the same bytes each time, as
        # Ed25519 signs deterministically.
        kv, entry = key_value(self._js, self.settings), signed_entry(
            self.signer, self.service, offered)
        try:
            kept: bytes | None = (await kv.get(self.service)).value
        except KeyNotFoundError:
            kept = None
        if kept != entry:
            await kv.put(self.service, entry)
        # The entry just read back or put offers none of the marked epochs.
        withdrawn_at = time.monotonic()
        marked = [epoch.number for epoch in await asyncio.to_thread(self.epochs.marked)]
        self._withdrawn = {number: self._withdrawn.get(number, withdrawn_at)
                           for number in marked}
        for number in marked:
            drain = max(DRAIN_SECONDS, self.grace)
            if withdrawn_at - self._withdrawn[number] >= drain and await self._drained():
                await asyncio.to_thread(self.epochs.destroy, number, now)
                log.info("transport epoch destroyed", extra={"epoch": number})

    async def _drained(self) -> bool:
        """The inbox's durable consumer has applied and acknowledged all it was given."""
        assert self._js is not None
        info = await self._js.consumer_info(self.settings.stream, self.service)
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)


class Recipients:
    """A sender's view of the receivers' offered epochs, and its pins."""

    def __init__(self, settings: Settings, service: str,
                 verifier: Callable[[], EventVerifier], pins: OutboxPins) -> None:
        self.settings = settings
        self.service = service
        # Made at the first reading: a command that only builds a keyring needs no
        # other service's signing keys configured.
        self._verifier_of = verifier
        self._verifier: EventVerifier | None = None
        self.pins_store = pins
        self.receivers = [r for r in RECEIVERS if r != service]
        self._offered: dict[str, list[tuple[int, bytes]]] = {}
        self._pins: list[Pin] | None = None
        self._starts: list[int] = []  # the pins' starts, for a bisection per sealing
        self._read_at: float | None = None

    async def refresh(self, js: JetStreamContext, last_position: Callable[[], int]) -> None:
        """Read the entries if the last reading is `REFRESH_SECONDS` old, and pin the
        current epochs from the next position on if they changed."""
        loop = asyncio.get_running_loop()
        if self._read_at is not None and loop.time() - self._read_at < REFRESH_SECONDS:
            return
        if self._verifier is None:
            self._verifier = self._verifier_of()
        kv = key_value(js, self.settings)
        offered: dict[str, list[tuple[int, bytes]]] = {}
        for receiver in self.receivers:
            try:
                value = (await kv.get(receiver)).value or b""
            except KeyNotFoundError:
                continue  # never published: its fixed pair
            epochs = verified_entry(self._verifier, receiver, value)
            if epochs is None:
                log.warning("transport key entry refused: bad signature",
                            extra={"receiver": receiver})
                continue
            if epochs:
                offered[receiver] = epochs
        self._offered = offered
        await asyncio.to_thread(self._pin, last_position)
        self._read_at = loop.time()

    def _pin(self, last_position: Callable[[], int]) -> None:
        if self._pins is None:
            self._load()
        current = {receiver: epochs[-1] for receiver, epochs in self._offered.items()}
        if self._pins and self._pins[-1].epochs == current:
            return
        # From after every stored event on: whatever is stored now may have been
        # published already under the previous pin, and must seal as it did. The
        # first pin covers everything (what was published before it, before epochs,
        # was recorded as published then).
        self.pins_store.put(Pin(last_position() + 1 if self._pins else 0, current))
        self._load()

    def _load(self) -> None:
        pins = self.pins_store.load()
        self._pins, self._starts = pins, [pin.start for pin in pins]

    def choose(self, receiver: str, position: int) -> tuple[int, bytes] | None:
        """The epoch (number, public key) to seal position's key to; None: the fixed pair."""
        pins = self._pins or []
        at = bisect.bisect_right(self._starts, position) - 1
        offered = self._offered.get(receiver, [])
        if at >= 0:
            pinned = pins[at].epochs.get(receiver)
            if pinned is None:
                return None  # sealed to the fixed pair then: it still opens
            if pinned in offered:
                return pinned
        return offered[-1] if offered else None
