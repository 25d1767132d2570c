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
from dataclasses import dataclass, field
from typing import Any

import orjson
from nats.js import JetStreamContext

from services.reporting.adapters.checkpoint_log import CheckpointLog
from services.reporting.adapters.signing import CheckpointVerifier
from services.reporting.adapters.stores import StoreReader
from services.reporting.adapters.stream import read_stream
from services.reporting.domain.chains import Break, ChainCheck, StoreCheck, StreamCheck
from services.reporting.domain.checkpoint import Anchors, Checkpoint, anchors
from shared.config import SERVICES, Settings
from shared.contracts import CheckpointSigned


@dataclass
class Found:
    """Everything one verification walked."""

    streams: dict[str, StreamCheck] = field(default_factory=dict)
    stores: dict[str, StoreCheck] = field(default_factory=dict)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)  # of the checkpoints, of the stream
    #: Per source, the stored link each envelope names, by position.
    claims: dict[str, dict[int, str]] = field(default_factory=dict)

    def chains(self) -> list[ChainCheck]:
        return [*(self.streams[n] for n in sorted(self.streams)),
                *(self.stores[s] for s in SERVICES if s in self.stores)]

    def misfits(self) -> list[Break]:
        return [*(c.first_bad for c in self.chains() if c.first_bad), *self.breaks]

    def report(self) -> dict[str, Any]:
        misfits = self.misfits()
        latest = max(self.checkpoints, key=lambda c: c.number, default=None)
        return {
            "ok": not misfits,
            "events": sum(chain.count for chain in self.chains()),
            "first_bad": misfits[0].as_dict() if misfits else None,
            "misfits": [m.as_dict() for m in misfits],
            "chains": [chain.as_dict() for chain in self.chains()],
            "checkpoint": None if latest is None else {
                "number": latest.number, "signed_at": latest.signed_at,
                "public_key": latest.public_key, "chains": len(latest.heads)},
        }


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
        on_stream = await _check_stream(js, settings.stream,
                                        [c for c in known if _signed(c, verifier)], found)
        # After it: every checkpoint on the stream was stored before it was published.
        stored = await asyncio.to_thread(reporting.checkpoints)
        found.checkpoints = _cross_check(stored, published, on_stream, logged, verifier,
                                         found.breaks)
        await asyncio.to_thread(_check_stores, readers, found)
    finally:
        for reader in readers.values():
            reader.close()
    _check_anchors(found)
    return found


def _cross_check(stored: dict[int, tuple[Checkpoint, int]], published: int,
                 on_stream: dict[int, Checkpoint], logged: dict[int, Checkpoint],
                 verifier: CheckpointVerifier, breaks: list[Break]) -> list[Checkpoint]:
    """Each checkpoint must be in reporting's store and on the stream (and in the log,
    if kept), the same in each; numbered from 1 without gaps. Returns, per number, the
    first copy this deployment's key signed."""
    places = {"reporting's store": {n: c for n, (c, _) in stored.items()},
              "the stream": on_stream}
    if logged:
        places["the checkpoint log"] = logged
    newest = max((n for held in places.values() for n in held), default=0)
    trusted = []
    for number in range(1, newest + 1):
        held = {place: held[number] for place, held in places.items() if number in held}
        if not held:
            breaks.append(Break("checkpoint", number,
                                "missing from reporting's store and from the stream"))
            continue
        for place in places:
            if place in held or _pending(place, number, stored, published, newest):
                continue
            breaks.append(Break("checkpoint", number, f"missing from {place}, though "
                                f"{' and '.join(held)} hold it: removed from {place}"))
        if len({c.signed_bytes() + c.signature.encode() for c in held.values()}) > 1:
            breaks.append(Break("checkpoint", number,
                                f"differs between {' and '.join(held)}"))
        signed = [c for c in held.values() if _signed(c, verifier)]
        if signed:
            trusted.append(signed[0])
        else:
            breaks.append(Break("checkpoint", number, "the checkpoint's signature does "
                                f"not verify (in {' and '.join(held)})"))
    return trusted


def _signed(checkpoint: Checkpoint, verifier: CheckpointVerifier) -> bool:
    return verifier.verify(checkpoint.signed_bytes(), checkpoint.signature)


def _pending(place: str, number: int, stored: dict[int, tuple[Checkpoint, int]],
             published: int, newest: int) -> bool:
    """Not yet there, rather than removed: a stored checkpoint the relay had not
    published when the stream was read; the newest, not yet logged after a crash."""
    if place == "the stream":
        return number in stored and stored[number][1] > published
    return place == "the checkpoint log" and number == newest


async def _check_stream(js: JetStreamContext, stream: str, known: list[Checkpoint],
                        found: Found) -> dict[int, Checkpoint]:
    """Walk the stream; returns the checkpoints it carries, by number."""
    held = anchors(known)
    on_stream: dict[int, Checkpoint] = {}

    def check(sequence: int, _: str, payload: bytes, __: dict[str, str] | None) -> None:
        try:
            envelope = orjson.loads(payload)
            source, position = str(envelope["source"]), int(envelope["position"])
        except (ValueError, KeyError, TypeError):
            found.breaks.append(Break("stream", sequence, "not an envelope", sequence))
            return
        name = f"stream:{source}"
        if name not in found.streams:
            found.streams[name] = StreamCheck(name, held.get(name) or Anchors())
        found.streams[name].message(sequence, position, envelope.get("prev"), payload)
        if envelope.get("stored"):
            found.claims.setdefault(source, {})[position] = envelope["stored"]
        if source == "reporting" and envelope.get("type") == CheckpointSigned.type:
            checkpoint = _checkpoint(envelope.get("data"))
            if checkpoint is None:
                found.breaks.append(Break("checkpoint", sequence,
                                          "a checkpoint on the stream cannot be read", sequence))
            else:
                on_stream.setdefault(checkpoint.number, checkpoint)

    await read_stream(js, stream, check)
    for name, anchored in held.items():  # a source whose every message went
        if name.startswith("stream:") and name not in found.streams:
            found.streams[name] = StreamCheck(name, anchored)
    for chain in found.streams.values():
        chain.finish()
    return on_stream


def _checkpoint(data: Any) -> Checkpoint | None:
    try:
        signed = CheckpointSigned.model_validate(data)
    except ValueError:
        return None
    return Checkpoint(signed.number, signed.heads, signed.misfits, signed.signed_at,
                      signed.public_key, signed.signature)


def _check_stores(readers: dict[str, StoreReader], found: Found) -> None:
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
        check = StoreCheck(name, witnesses, held.get(name))
        check.first_bad = unreadable
        for record in reader.notifications():
            check.record(record)
        check.finish()
        found.stores[service] = check


def _check_anchors(found: Found) -> None:
    """Each envelope names its stored event's link: a message that no stored event
    backs (forged, however well it fits the stream chain) does not fit."""
    for source, claimed in found.claims.items():
        store = found.stores.get(source)
        if store is None:
            continue
        # From a store's own first misfit on, a mismatch is the store's, not the stream's.
        trusted = store.first_bad.position if store.first_bad else None
        for position in sorted(claimed):
            if trusted is not None and position >= trusted:
                break
            if store.links.get(position) != claimed[position]:
                found.streams[f"stream:{source}"].bad(
                    position, "no stored event of its source matches it")
                break
