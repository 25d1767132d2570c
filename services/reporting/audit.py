"""The audit: replay the figures from the whole stream, verify every hash chain, and
sign checkpoints of the chains' heads. Used by the API, the CLI and the checkpointer.

Auditors get counts, chain names, positions, hashes and reasons: never an event's
content.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.persistence import MapperDeserialisationError
from nats.js import JetStreamContext

from services.reporting.adapters.signing import CheckpointSigner
from services.reporting.adapters.stores import StoreReader
from services.reporting.adapters.stream import read_stream
from services.reporting.application import LiveFigures, ReportingApplication
from services.reporting.domain.checkpoint import (
    CHECKPOINTS_ID,
    CheckpointSigned,
    Expected,
    expected_heads,
    signed_bytes,
)
from services.reporting.domain.figures import AnnualFigures
from shared.chain import Break, StoreCheck, StreamCheck
from shared.config import SERVICES, Settings
from shared.messaging.admission import Refused, check
from shared.messaging.signing import EventVerifier

log = logging.getLogger("meldingen.audit")
#: The services whose events the figures count (reporting's inbox sources).
COUNTED = ("intake", "triage", "investigation")


async def rebuild(js: JetStreamContext, stream: str, verifier: EventVerifier,
                  upto: int | None = None, parked: frozenset[int] | None = None
                  ) -> tuple[AnnualFigures, int, int]:
    """A fresh projection of the stream from its first message; (figures, messages
    counted, last sequence read). What the inbox would park (forged, unsigned,
    replayed) changes no figure here either: each message is checked as the inbox
    checks it, unless `parked` holds the inbox's own verdicts (the sequences it
    parked, for a rebuild no further than it got): then those are skipped and the
    rest is read as the inbox applied it, at a fraction of the cost (an Ed25519
    check per message, docs/performance.md)."""
    figures = AnnualFigures()
    apply, loads = figures.apply, orjson.loads
    counted = last = 0
    positions: dict[str, int] = {}

    def admitted(sequence: int, subject: str, payload: bytes,
                 headers: dict[str, str] | None) -> dict[str, Any] | None:
        if parked is not None:
            body = None if sequence in parked else loads(payload)
            return body if isinstance(body, dict) else None
        body = check(subject, headers, payload, verifier, lambda s: positions.get(s, 0))
        if isinstance(body, Refused):
            return None
        positions[body["source"]] = body["position"]
        return body

    def project(sequence: int, subject: str, payload: bytes,
                headers: dict[str, str] | None) -> None:
        nonlocal counted, last
        last = sequence
        if subject.split(".", 2)[1] not in COUNTED:
            return
        counted += 1
        with contextlib.suppress(ValueError, KeyError, TypeError):
            body = admitted(sequence, subject, payload, headers)
            if body is not None:  # unreadable, as the inbox parks it: no figure
                apply(body["type"], body["data"])

    await read_stream(js, stream, project, upto=upto)
    return figures, counted, last


async def replay(js: JetStreamContext, stream: str, verifier: EventVerifier,
                 live: LiveFigures | None, parked: frozenset[int] | None = None
                 ) -> dict[str, Any]:
    """Rebuild every figure from the stream and compare with the live projection, at
    the sequence the live one had reached when the replay began."""
    position, _, live_digest = live.snapshot() if live is not None else (None, 0, None)
    figures, counted, _ = await rebuild(js, stream, verifier, upto=position, parked=parked)
    digest = figures.digest()
    return {"events_replayed": counted, "matches_live": digest == live_digest if live else None,
            "digest": digest, "position": position}


async def verify(settings: Settings, js: JetStreamContext, signer: CheckpointSigner
                 ) -> dict[str, Any]:
    """Check every chain: the stream's per source, and every service's store; name the
    first event that does not fit."""
    readers = await asyncio.to_thread(lambda: {s: StoreReader(s, settings) for s in SERVICES})
    try:
        try:
            checkpoint = await asyncio.to_thread(readers["reporting"].last_event,
                                                 CHECKPOINTS_ID)
        except MapperDeserialisationError:  # damaged: the store chain names where
            checkpoint = None
            breaks, expected = [Break("checkpoint", 0, "the latest checkpoint cannot be "
                                      "read: its stored record is damaged")], {}
        else:
            breaks, expected = _checkpoint_check(checkpoint, signer)
        streams, anchors = await _check_stream(js, settings.stream, expected, breaks)
        stores = await asyncio.to_thread(_check_stores, readers, expected)
    finally:
        for reader in readers.values():
            reader.close()
    _check_anchors(streams, stores, anchors)
    chains = [*(streams[name] for name in sorted(streams)), *(stores[s] for s in SERVICES)]
    for chain in chains:
        if chain.first_bad is not None:
            breaks.append(chain.first_bad)
    return {
        "ok": not breaks,
        "events": sum(chain.count for chain in chains),
        "first_bad": breaks[0].as_dict() if breaks else None,
        "chains": [chain.as_dict() for chain in chains],
        "checkpoint": None if checkpoint is None else {
            "signed_at": checkpoint.signed_at, "public_key": checkpoint.public_key,
            "chains": len(checkpoint.heads)},
    }


def _checkpoint_check(checkpoint: CheckpointSigned | None, signer: CheckpointSigner
                      ) -> tuple[list[Break], Expected]:
    if checkpoint is None:
        return [], {}
    if not signer.verify(signed_bytes(checkpoint.heads, checkpoint.signed_at),
                         checkpoint.signature):
        return [Break("checkpoint", checkpoint.originator_version,
                      "the checkpoint's signature does not verify")], {}
    return [], expected_heads(checkpoint)


async def _check_stream(js: JetStreamContext, stream: str, expected: Expected,
                        breaks: list[Break]
                        ) -> tuple[dict[str, StreamCheck], dict[str, dict[int, str]]]:
    streams = {name: StreamCheck(name, head) for name, head in expected.items()
               if name.startswith("stream:")}
    anchors: dict[str, dict[int, str]] = {}

    def link(sequence: int, subject: str, payload: bytes, _: dict[str, str] | None) -> None:
        try:
            envelope = orjson.loads(payload)
            source, position = str(envelope["source"]), int(envelope["position"])
        except (ValueError, KeyError, TypeError):
            breaks.append(Break("stream", sequence, "not an envelope", sequence))
            return
        name = f"stream:{source}"
        if name not in streams:
            streams[name] = StreamCheck(name)
        streams[name].message(sequence, position, envelope.get("prev"), payload)
        if envelope.get("stored"):
            anchors.setdefault(source, {})[position] = envelope["stored"]

    await read_stream(js, stream, link)
    for chain in streams.values():
        chain.finish()
    return streams, anchors


def _check_stores(readers: dict[str, StoreReader], expected: Expected
                  ) -> dict[str, StoreCheck]:
    stores = {}
    for service, reader in readers.items():
        name = f"store:{service}"
        try:
            witnesses = reader.seal_links()
        except Exception:  # noqa: BLE001 - an altered seal no longer decrypts
            witnesses = {}
            unreadable: Break | None = Break(name, 0, "the recorded links cannot be read")
        else:
            unreadable = None
        check = StoreCheck(name, witnesses, expected.get(name))
        check.first_bad = unreadable
        for record in reader.notifications():
            check.record(record)
        check.finish()
        stores[service] = check
    return stores


def _check_anchors(streams: dict[str, StreamCheck], stores: dict[str, StoreCheck],
                   anchors: dict[str, dict[int, str]]) -> None:
    """Each envelope names its stored event's link: a message that no stored event
    backs (forged, however well it fits the stream chain) does not fit."""
    for source, claimed in anchors.items():
        store = stores.get(source)
        if store is None:
            continue
        # From a store's own first misfit on, a mismatch is the store's, not the stream's.
        trusted = store.first_bad.position if store.first_bad else None
        for position in sorted(claimed):
            if trusted is not None and position >= trusted:
                break
            if store.links.get(position) != claimed[position]:
                streams[f"stream:{source}"].bad(
                    position, "no stored event of its source matches it")
                break


async def checkpoint(settings: Settings, js: JetStreamContext, signer: CheckpointSigner,
                     app: ReportingApplication) -> dict[str, Any]:
    """Verify, and if every chain fits, sign and record their heads (unless unchanged)."""
    report = await verify(settings, js, signer)
    if not report["ok"]:
        log.warning("checkpoint not signed: a chain does not fit",
                    extra={"first_bad": report["first_bad"]})
        return {"recorded": False, "verification": report}
    heads = [{k: chain[k] for k in ("chain", "events", "head", "position")}
             for chain in report["chains"] if chain["events"]]
    latest = await asyncio.to_thread(app.latest_checkpoint)
    if latest is not None and _others(latest.heads) == _others(heads):
        return {"recorded": False, "verification": report}
    signed_at = datetime.now(UTC).isoformat()
    signature = signer.sign(signed_bytes(heads, signed_at))
    await asyncio.to_thread(app.record_checkpoint, heads, signed_at, signer.public_key,
                            signature)
    return {"recorded": True, "signed_at": signed_at, "verification": report}


def _others(heads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The heads but reporting's own store, which each checkpoint itself extends."""
    return [head for head in heads if head["chain"] != "store:reporting"]
