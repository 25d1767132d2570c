"""The auditor's chain replay with its counting in a child process: the read and the
count overlap on two cores instead of taking turns on one.

The parent reads the stream (nats-py's share of a replay, about half of it) and
hands the counted messages on a chunk at a time, as three columns (subjects,
signature headers, payloads) pickled in one write; the child (forked, so it holds
the same verifier and empty figures) proves each chunk's signatures along the
chain and counts it exactly as `replay.ChainChunks` does in one process, then
sends the figures back at the end. A chunk is handed on while the child counts the
one before it, so the parent blocks only when the child falls a chunk behind.

Only for a replay in a process of its own (`meldingen audit replay`, the bench's
worker): a service's event loop and threads are not forked.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Protocol

from services.reporting.domain.figures import AnnualFigures
from shared.messaging.signing import HEADER

#: Seconds the parent waits for the child's figures after the last chunk.
RESULT_WITHIN_S = 600.0

#: (subjects, signature headers or None, payloads) of a chunk's counted messages.
Columns = tuple[list[str], list[str | None], list[bytes]]


class Counts(Protocol):
    figures: AnnualFigures
    counted: int


class ForkedChunks:
    """`replay.ChainChunks`'s `add`, the counting done in a forked child. Use as a
    context manager; `result()` after the last message: (figures, counted)."""

    CHUNK = 4096

    def __init__(self, projection: Counts, count: Callable[[Columns], None],
                 counted: Callable[[str], bool]) -> None:
        """`count(columns)` counts a chunk into `projection` (in the child, into its
        copy); `counted(subject)`: whether a message is handed on at all."""
        self.last = 0
        self._counted = counted
        self._subjects: list[str] = []
        self._signatures: list[str | None] = []
        self._payloads: list[bytes] = []
        context = multiprocessing.get_context("fork")
        self._pipe, child_end = context.Pipe()
        self._child = context.Process(target=_child, args=(child_end, projection, count),
                                      daemon=True, name="replay-count")
        self._child.start()
        child_end.close()

    def add(self, sequence: int, subject: str, payload: bytes,
            headers: dict[str, str] | None) -> None:
        self.last = sequence
        if self._counted(subject):
            self._subjects.append(subject)
            self._signatures.append(headers.get(HEADER) if headers else None)
            self._payloads.append(payload)
            if len(self._payloads) >= self.CHUNK:
                self.flush()

    def flush(self) -> None:
        if self._payloads:
            columns = (self._subjects, self._signatures, self._payloads)
            self._subjects, self._signatures, self._payloads = [], [], []
            self._pipe.send_bytes(pickle.dumps(columns, pickle.HIGHEST_PROTOCOL))

    def result(self) -> tuple[AnnualFigures, int]:
        self.flush()
        self._pipe.send_bytes(b"")  # the end
        if not self._pipe.poll(RESULT_WITHIN_S):
            raise RuntimeError("the replay's counting process gave no figures")
        outcome = pickle.loads(self._pipe.recv_bytes())
        if isinstance(outcome, str):
            raise RuntimeError(f"the replay's counting process failed: {outcome}")
        figures, counted = outcome
        return figures, counted

    def __enter__(self) -> ForkedChunks:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._pipe.close()
        self._child.join(timeout=5)
        if self._child.is_alive():
            self._child.kill()
            self._child.join()


def _child(pipe: Connection, projection: Counts, count: Callable[[Columns], None]) -> None:
    """Count every chunk the parent sends, then send back (figures, counted), or the
    error's type name if counting failed (no message content)."""
    try:
        while block := pipe.recv_bytes():
            count(pickle.loads(block))
        pipe.send_bytes(pickle.dumps((projection.figures, projection.counted),
                                     pickle.HIGHEST_PROTOCOL))
    except EOFError:
        return  # the parent went away
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        pipe.send_bytes(pickle.dumps(type(exc).__name__))
