"""The audit's replay: the figures counted from the whole stream on figure tables
(`scratch_figures`), compared with the live ones. Used by the API, the CLI, the
bench and the start of the service. (Verifying the hash chains is `verification`.)"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from nats.js import JetStreamContext

from services.reporting.adapters.scratch_figures import ScratchFigures, TableCount
from services.reporting.adapters.signatures import EverySignature, Message
from services.reporting.adapters.stream import InPlace, read_stream, rewrites_on
from services.reporting.views import LiveFigures
from shared.messaging.admission import UNPARSED, Refused, check, parse
from shared.messaging.chainproof import Parsed, chain_verdicts
from shared.messaging.signing import EventVerifier

#: The services whose events the figures count (reporting's inbox sources).
COUNTED = ("intake", "triage", "investigation")


async def count(js: JetStreamContext, stream: str, verifier: EventVerifier, into: TableCount,
                upto: int | None = None, parked: frozenset[int] | None = None, *,
                every_signature: bool = False) -> tuple[int, int]:
    """The stream from its first message counted `into`; (messages counted, last
    sequence read). What the inbox would park (forged, unsigned, replayed) changes no
    figure here either: each message is checked as the inbox checks it, its signature
    proved along its source's chain a chunk at a time (`shared.messaging.chainproof`),
    or each message's own with `every_signature`. Unless `parked` holds the inbox's
    own verdicts (the sequences it parked, for a rebuild no further than it got):
    then those are skipped and the rest is read as the inbox applied it."""
    projection = Projection(into, verifier)
    # A message taken off the stream counts as its signed record's redacted envelope,
    # in its place (`shared.messaging.rewrites`): the figures read only what that keeps.
    # In a chain that envelope's `prev` links it to the message before it, and the
    # next message's link to it breaks, so its own signature is checked.
    rewrites = await rewrites_on(js, stream, verifier)
    if parked is not None:
        in_place = InPlace(rewrites, projection.judged(parked))
        await read_stream(js, stream, in_place, upto=upto)
        in_place.finish(upto)
    elif every_signature:
        with collector_paused(), EverySignature(verifier, projection.project) as signatures:
            in_place = InPlace(rewrites, signatures.add)
            await read_stream(js, stream, in_place, upto=upto)
            in_place.finish(upto)
    else:
        with collector_paused():
            chain = ChainChunks(verifier, projection)
            in_place = InPlace(rewrites, chain.add)
            await read_stream(js, stream, in_place, upto=upto)
            in_place.finish(upto)
            chain.flush()
    return projection.counted, projection.last


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off during a full replay (the auditor's, in a
    process of its own): every message leaves container objects behind (its parsed
    envelope, nats-py's message, a batch's rows), so the collector's passes over
    them took more than half of the replay's own time. A replay makes no cycles of
    its own; what others make waits for the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Projection:
    """The messages read, counted into `figures` as the inbox would apply them."""

    def __init__(self, figures: TableCount, verifier: EventVerifier) -> None:
        self.figures = figures
        self.verifier = verifier
        self.counted = 0
        self.last = 0
        self.positions: dict[str, int] = {}

    def judged(self, parked: frozenset[int]
               ) -> Callable[[int, str, bytes, dict[str, str] | None], None]:
        """Reading with the inbox's verdicts: what it parked counts nothing."""
        apply, loads = self.figures.apply, orjson.loads

        def take(sequence: int, subject: str, payload: bytes, _: object) -> None:
            self.last = sequence
            if not counted(subject):
                return
            self.counted += 1
            if sequence in parked:
                return
            with contextlib.suppress(ValueError, KeyError, TypeError):
                body = loads(payload)
                if isinstance(body, dict):  # unreadable, as the inbox parks it: no figure
                    apply(body["type"], body["data"])
        return take

    def project(self, message: Message, signed: bool) -> None:
        """One message, in stream order, with its signature's verdict."""
        sequence, subject, payload, headers = message
        self.last = sequence
        if counted(subject):
            self.counted += 1
            self.count(subject, headers, payload, signed, UNPARSED)

    def count(self, subject: str, headers: Mapping[str, str] | None, payload: bytes,
              signed: bool, parsed: Any) -> None:
        """A counted message's figures, if the inbox would apply it."""
        try:
            body = check(subject, headers, payload, self.verifier, self._position,
                         signed=signed, parsed=parsed)
            if isinstance(body, Refused):
                return
            self.positions[body["source"]] = body["position"]
            self.figures.apply(body["type"], body["data"])
        except (ValueError, KeyError, TypeError):
            return  # unreadable, as the inbox parks it: no figure

    def _position(self, source: str) -> int:
        return self.positions.get(source, 0)


_COUNTED_SUBJECTS = tuple(f"meldingen.{source}." for source in COUNTED)


def counted(subject: str) -> bool:
    """Whether the figures count a message on `subject` (one test per message read)."""
    return subject.startswith(_COUNTED_SUBJECTS)


class ChainChunks:
    """The counted messages gathered a chunk at a time, their signatures proved along
    each source's chain in the chunk, then projected in stream order."""

    CHUNK = 4096

    def __init__(self, verifier: EventVerifier, projection: Projection) -> None:
        self.verifier = verifier
        self.projection = projection
        self.chunk: list[Parsed] = []

    def add(self, sequence: int, subject: str, payload: bytes,
            headers: dict[str, str] | None) -> None:
        self.projection.last = sequence
        if counted(subject):  # not reporting's checkpoints: only read past
            self.chunk.append((subject, headers, payload, parse(payload)))
            if len(self.chunk) >= self.CHUNK:
                self.flush()

    def flush(self) -> None:
        chunk, self.chunk = self.chunk, []
        verdicts = chain_verdicts(chunk, self.verifier)
        count = self.projection.count
        self.projection.counted += len(chunk)
        for (subject, headers, payload, body), signed in zip(chunk, verdicts, strict=True):
            count(subject, headers, payload, signed, body)


async def replay(js: JetStreamContext, stream: str, verifier: EventVerifier,
                 live: LiveFigures | None, parked: frozenset[int] | None = None, *,
                 scratch: Path | None = None) -> dict[str, Any]:
    """Rebuild every figure from the stream and compare with the live projection, at
    the sequence the live one had reached when the replay began."""
    position, _, live_digest = live.snapshot() if live is not None else (None, 0, None)
    digest, counted, _ = await on_scratch(js, stream, verifier, upto=position, parked=parked,
                                          scratch=scratch)
    return {"events_replayed": counted, "matches_live": digest == live_digest if live else None,
            "digest": digest, "position": position}


async def on_scratch(js: JetStreamContext, stream: str, verifier: EventVerifier, *,
                     upto: int | None = None, parked: frozenset[int] | None = None,
                     every_signature: bool = False, scratch: Path | None = None
                     ) -> tuple[str, int, int]:
    """The auditor's replay (the API's, the CLI's, the bench's): the stream counted on
    scratch tables in a file under `scratch` (the service's var dir), deleted after;
    (digest, messages counted, last sequence read)."""
    with ScratchFigures(scratch) as figures:
        counted, last = await count(js, stream, verifier, figures, upto, parked,
                                    every_signature=every_signature)
        digest = await asyncio.to_thread(figures.digest)
    return digest, counted, last
