"""The replay that checks every message's own signature (`meldingen audit replay
--every-signature`): exact, where the chain's proof (`shared.messaging.chainproof`)
passes over a message whose only change is its signature header, and several times
slower (an Ed25519 check per message, docs/performance.md)."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from shared.messaging.admission import signature_holds
from shared.messaging.signing import EventVerifier

#: (stream sequence, subject, payload, headers) of a message read from the stream.
Message = tuple[int, str, bytes, dict[str, str] | None]
#: Threads checking signatures: one per core of the machine it was measured on; more
#: only contend.
VERIFY_THREADS = 2


class EverySignature:
    """Every message's signature checked in worker threads, a chunk at a time, while
    the stream is read; the messages are then projected in stream order with their
    verdicts. Ed25519 leaves the GIL while it works, so the checks of two chunks run
    on two cores beside the read."""

    CHUNK = 256
    AHEAD = 8  # chunks in the threads' hands before the read waits for the oldest

    def __init__(self, verifier: EventVerifier,
                 project: Callable[[Message, bool], None]) -> None:
        self.verifier = verifier
        self.project = project
        self.pool = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="replay-verify")
        self.chunk: list[Message] = []
        self.pending: deque[tuple[list[Message], Future[list[bool]]]] = deque()

    def __enter__(self) -> EverySignature:
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
