"""Verify every hash chain against three records kept by different hands.

- each service's store, with its seals (its database administrator's);
- the stream, whose envelopes name their stored events' links and which carries
  every signed checkpoint (the NATS administrator's);
- optionally an append-only checkpoint log (`MELDINGEN_CHECKPOINT_LOG_FILE`).

Checkpoints are read from all of them and cross-checked, so deleting one from one
place is named; every checkpoint's heads and ids then hold each chain, so deleting
events together with their seals is named by the first id that went.
Auditors get counts, chain names, positions, hashes and reasons: never content.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from nats.js import JetStreamContext

from services.reporting.adapters.checkpoint_log import CheckpointLog
from services.reporting.adapters.signing import CheckpointVerifier
from services.reporting.adapters.stores import StoreReader
from services.reporting.adapters.stream import InPlace, read_stream, rewrites_on
from services.reporting.domain.chains import Break, StoreCheck, StreamCheck
from services.reporting.domain.checkpoint import Anchors, Checkpoint, anchors
from services.reporting.domain.verification import (
    Found,
    check_anchors,
    checkpoint_of,
    cross_check,
    signed,
)
from shared.config import SERVICES, Settings
from shared.contracts import CheckpointSigned
from shared.messaging.rewrites import StreamRewrite
from shared.messaging.signing import EventVerifier, verifier_for


async def verify(settings: Settings, js: JetStreamContext, verifier: CheckpointVerifier
                 ) -> dict[str, Any]:
    """Check every chain: the stream's per source, and every service's store; name the
    first event that does not fit, and every chain's first misfit."""
    return (await walk(settings, js, verifier)).report()


async def walk(settings: Settings, js: JetStreamContext, verifier: CheckpointVerifier
               ) -> Found:
    readers = await asyncio.to_thread(lambda: {s: StoreReader(s, settings) for s in SERVICES})
    found = Found()
    try:
        reporting = readers["reporting"]
        # Before the stream is read: what the store held and had published by then.
        stored_before, published = await asyncio.to_thread(
            lambda: (reporting.checkpoints(), reporting.outbox_position()))
        logged = CheckpointLog(settings.checkpoint_log_file).read(found.breaks)
        known = [c for c, _ in stored_before.values()] + list(logged.values())
        signatures = verifier_for(settings)
        on_stream = await _check_stream(js, settings.stream,
                                        [c for c in known if signed(c, verifier)], found,
                                        await rewrites_on(js, settings.stream, signatures))
        # After it: every checkpoint on the stream was stored before it was published.
        stored = await asyncio.to_thread(reporting.checkpoints)
        found.checkpoints = cross_check(stored, published, on_stream, logged, verifier,
                                         found.breaks)
        await asyncio.to_thread(_check_stores, readers, found, signatures)
    finally:
        for reader in readers.values():
            reader.close()
    check_anchors(found)
    return found


async def _check_stream(js: JetStreamContext, stream: str, known: list[Checkpoint],
                        found: Found, rewrites: list[StreamRewrite]) -> dict[int, Checkpoint]:
    """Walk the stream; returns the checkpoints it carries, by number. A message taken
    off with a signed record counts at its recorded link."""
    held = anchors(known)
    on_stream: dict[int, Checkpoint] = {}

    def chain(source: str) -> StreamCheck:
        name = f"stream:{source}"
        if name not in found.streams:
            found.streams[name] = StreamCheck(name, held.get(name) or Anchors())
        return found.streams[name]

    def taken_off(record: StreamRewrite) -> None:
        chain(record.source).passed(record.sequence, record.position, record.prev,
                                    record.hash)
        if record.stored:
            found.claims.setdefault(record.source, {})[record.position] = record.stored

    def check(sequence: int, _: str, payload: bytes, __: dict[str, str] | None) -> None:
        try:
            envelope = orjson.loads(payload)
            source, position = str(envelope["source"]), int(envelope["position"])
        except (ValueError, KeyError, TypeError):
            found.breaks.append(Break("stream", sequence, "not an envelope", sequence))
            return
        chain(source).message(sequence, position, envelope.get("prev"), payload)
        if envelope.get("stored"):
            found.claims.setdefault(source, {})[position] = envelope["stored"]
        if source == "reporting" and envelope.get("type") == CheckpointSigned.type:
            checkpoint = checkpoint_of(envelope.get("data"))
            if checkpoint is None:
                found.breaks.append(Break("checkpoint", sequence,
                                          "a checkpoint on the stream cannot be read", sequence))
            else:
                on_stream.setdefault(checkpoint.number, checkpoint)

    in_place = InPlace(rewrites, check, taken_off)
    await read_stream(js, stream, in_place)
    in_place.finish()
    for name, anchored in held.items():  # a source whose every message went
        if name.startswith("stream:") and name not in found.streams:
            found.streams[name] = StreamCheck(name, anchored)
    for walked in found.streams.values():
        walked.finish()
    return on_stream


def _check_stores(readers: dict[str, StoreReader], found: Found,
                  signatures: EventVerifier) -> None:
    held = anchors(found.checkpoints)
    for service, reader in readers.items():
        name = f"store:{service}"
        try:
            witnesses = reader.seal_links()
        except Exception:  # noqa: BLE001 - an altered seal no longer decrypts
            witnesses = {}
            unreadable: Break | None = Break(name, 0, "the recorded links cannot be read")
        else:
            unreadable = None
        try:
            rewrites = reader.rewrites(signatures)
        except Exception:  # noqa: BLE001 - an altered record: its events are hashed
            rewrites = {}
        check = StoreCheck(name, witnesses, held.get(name), rewrites)
        check.first_bad = unreadable
        for record in reader.notifications():
            check.record(record)
        check.finish()
        found.stores[service] = check


