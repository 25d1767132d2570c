"""The audit's replay: the figures rebuilt from the whole stream, compared with the
live ones. Used by the API, the CLI and the start of the service. (Verifying the
hash chains is `verification`.)"""

from __future__ import annotations

import contextlib
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from nats.js import JetStreamContext

from services.reporting.adapters.stream import InPlace, read_stream, rewrites_on
from services.reporting.domain.figures import AnnualFigures
from services.reporting.views import LiveFigures
from shared.messaging.admission import Refused, check, signature_holds
from shared.messaging.signing import EventVerifier

#: The services whose events the figures count (reporting's inbox sources).
COUNTED = ("intake", "triage", "investigation")
#: Threads checking signatures in a full replay: one per core of the machine it was
#: measured on; more only contend.
VERIFY_THREADS = 2


async def rebuild(js: JetStreamContext, stream: str, verifier: EventVerifier,
                  upto: int | None = None, parked: frozenset[int] | None = None,
                  kept: tuple[AnnualFigures, int] | None = None
                  ) -> tuple[AnnualFigures, int, int]:
    """A fresh projection of the stream from its first message; (figures, messages
    counted, last sequence read). What the inbox would park (forged, unsigned,
    replayed) changes no figure here either: each message is checked as the inbox
    checks it, unless `parked` holds the inbox's own verdicts (the sequences it
    parked, for a rebuild no further than it got): then those are skipped and the
    rest is read as the inbox applied it, at a fraction of the cost (an Ed25519
    check per message, docs/performance.md). `kept`, with `parked`: figures kept at
    a sequence, fed only the messages after it."""
    if kept is not None and parked is None:
        raise ValueError("kept figures go on only from the inbox's verdicts")
    figures, after = kept or (AnnualFigures(), 0)
    apply, loads = figures.apply, orjson.loads
    counted, last = 0, after
    positions: dict[str, int] = {}

    def admitted(message: Message, signed: bool | None) -> dict[str, Any] | None:
        sequence, subject, payload, headers = message
        if parked is not None:
            body = None if sequence in parked else loads(payload)
            return body if isinstance(body, dict) else None
        body = check(subject, headers, payload, verifier, lambda s: positions.get(s, 0),
                     signed=signed)
        if isinstance(body, Refused):
            return None
        positions[body["source"]] = body["position"]
        return body

    def project(message: Message, signed: bool | None = None) -> None:
        nonlocal counted, last
        last = message[0]
        if message[1].split(".", 2)[1] not in COUNTED:
            return
        counted += 1
        with contextlib.suppress(ValueError, KeyError, TypeError):
            body = admitted(message, signed)
            if body is not None:  # unreadable, as the inbox parks it: no figure
                apply(body["type"], body["data"])

    # A message taken off the stream counts as its signed record's redacted envelope,
    # in its place (`shared.messaging.rewrites`): the figures read only what that keeps.
    rewrites = await rewrites_on(js, stream, verifier)
    if parked is not None:
        in_place = InPlace(rewrites, lambda *message: project(message), after=after)
        await read_stream(js, stream, in_place, upto=upto, after=after)
        in_place.finish(upto)
    else:
        with Signatures(verifier, project) as signatures:
            in_place = InPlace(rewrites, signatures.add)
            await read_stream(js, stream, in_place, upto=upto)
            in_place.finish(upto)
    return figures, counted, last


Message = tuple[int, str, bytes, dict[str, str] | None]


class Signatures:
    """Every message's signature checked in worker threads, a chunk at a time, while
    the stream is read; the messages are then projected in stream order with their
    verdicts. Ed25519 leaves the GIL while it works, so the checks of two chunks run
    on two cores beside the read (docs/performance.md: each takes twice as long as
    the rest of a message's replay)."""

    CHUNK = 256
    AHEAD = 8  # chunks in the threads' hands before the read waits for the oldest

    def __init__(self, verifier: EventVerifier,
                 project: Callable[[Message, bool], None]) -> None:
        self.verifier = verifier
        self.project = project
        self.pool = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="replay-verify")
        self.chunk: list[Message] = []
        self.pending: deque[tuple[list[Message], Future[list[bool]]]] = deque()

    def __enter__(self) -> Signatures:
        # A thread back from a check waits for the GIL while the read holds it: at
        # Python's default 5 ms a chunk's checks took as long as in one thread. `serve`
        # runs at 0.5 ms already (shared/cli/run.py); the CLI's replay gets it here.
        self.switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self.switch, 0.0005))
        return self

    def __exit__(self, failed: object, *_: object) -> None:
        try:
            if failed is None:
                self._submit()
                while self.pending:
                    self._project_oldest()
        finally:
            self.pool.shutdown(cancel_futures=True)
            sys.setswitchinterval(self.switch)

    def add(self, sequence: int, subject: str, payload: bytes,
            headers: dict[str, str] | None) -> None:
        self.chunk.append((sequence, subject, payload, headers))
        if len(self.chunk) >= self.CHUNK:
            self._submit()
        while self.pending and (self.pending[0][1].done() or len(self.pending) > self.AHEAD):
            self._project_oldest()

    def _submit(self) -> None:
        if self.chunk:
            chunk, self.chunk = self.chunk, []
            self.pending.append((chunk, self.pool.submit(self._verify, chunk)))

    def _project_oldest(self) -> None:
        chunk, verdicts = self.pending.popleft()
        for message, signed in zip(chunk, verdicts.result(), strict=True):
            self.project(message, signed)

    def _verify(self, chunk: list[Message]) -> list[bool]:
        return [signature_holds((subject, headers, payload), self.verifier)
                for _, subject, payload, headers in chunk]


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
