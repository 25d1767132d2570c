"""Verifying the hash chains (`shared.chain`): a walk over one chain in order that
names the first event that does not fit.

What a walk is held against: the seals in the service's own database (each stored
event's link), the envelopes on the stream (each names its stored event's link), and
the signed checkpoints (`checkpoint.Anchors`: heads at signed positions, and every
id once stored). The last two live outside the store's database, so deleting events
together with their seals is still named by the id that went.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from services.reporting.domain.checkpoint import Anchors, Range
from shared.chain.hashing import GENESIS, StoredRecord, envelope_hash, store_link
from shared.chain.rewrites import EventRewritten, fits


@dataclass
class Break:
    """A place where a chain does not fit."""

    chain: str
    position: int
    reason: str
    sequence: int | None = None  # in the stream, for a stream chain

    def as_dict(self) -> dict[str, Any]:
        named = {"chain": self.chain, "position": self.position, "reason": self.reason}
        return named if self.sequence is None else {**named, "sequence": self.sequence}


@dataclass
class ChainCheck:
    """Walks one chain in order and remembers the first event that does not fit."""

    chain: str
    anchors: Anchors = field(default_factory=Anchors)
    count: int = 0
    head: str = GENESIS
    last_position: int = 0
    first_bad: Break | None = None
    _met: set[int] = field(default_factory=set)

    def bad(self, position: int, reason: str, sequence: int | None = None) -> None:
        if self.first_bad is None:
            self.first_bad = Break(self.chain, position, reason, sequence)

    def advance(self, position: int, link: str) -> None:
        if position <= self.last_position:
            self.bad(position, f"position {position} does not follow {self.last_position}")
        self.count += 1
        self.head, self.last_position = link, position
        signed = self.anchors.heads.get(position)
        if signed is not None:
            self._met.add(position)
            if link != signed[0]:
                self.bad(position, f"differs from the head checkpoint {signed[1]} signed "
                         "here: an event up to here was altered, added or removed")

    def finish(self) -> None:
        unmet = sorted(set(self.anchors.heads) - self._met)
        if unmet:
            position = unmet[0]
            number = self.anchors.heads[position][1]
            if position > self.last_position:
                self.bad(position, f"checkpoint {number} signed position {position}, but "
                         f"the log ends at {self.last_position}: the end was cut off")
            else:
                self.bad(position, f"checkpoint {number} signed position {position}, "
                         "which is missing")

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "ok": self.first_bad is None, "events": self.count,
                "head": self.head, "position": self.last_position,
                "first_bad": self.first_bad.as_dict() if self.first_bad else None}


class StreamCheck(ChainCheck):
    """One source's integration events, in stream order: each names its predecessor."""

    def message(self, sequence: int, position: int, prev: str | None, payload: bytes) -> None:
        self.passed(sequence, position, prev, envelope_hash(payload))

    def passed(self, sequence: int, position: int, prev: str | None, link: str) -> None:
        """One message at its link: its bytes' hash, or the one a signed record of its
        taking off recorded (`shared.messaging.rewrites`)."""
        if prev != self.head:
            self.bad(position, "its prev is not the hash of the event before it", sequence)
        self.advance(position, link)


class StoreCheck(ChainCheck):
    """One service's stored events against the links its seals recorded and the ids
    the checkpoints signed."""

    def __init__(self, chain: str, witnesses: dict[int, str],
                 anchors: Anchors | None = None,
                 rewrites: dict[int, EventRewritten] | None = None) -> None:
        super().__init__(chain, anchors or Anchors())
        self.witnesses = witnesses
        self.rewrites = rewrites or {}  # validly signed ones only
        self.links: dict[int, str] = {}
        self._runs: list[list[int]] = []  # the stored ids met, as [first, last] runs
        self._expected = _expected_ids(witnesses, self.anchors.signed_ids())
        self._next = next(self._expected, None)

    def record(self, record: StoredRecord) -> None:
        self._missing_up_to(record.id)
        rewritten = self.rewrites.get(record.id)
        # A signed rewrite (`shared.chain.rewrites`) passes on the link it recorded;
        # any other event's is computed from its bytes.
        link = (rewritten.link if rewritten is not None and fits(rewritten, self.head, record)
                else store_link(self.head, record))
        expected = self.witnesses.get(record.id)
        if expected is not None and expected != link:
            self.bad(record.id, "its hash differs from the one recorded for it")
        self.links[record.id] = link
        if self._runs and record.id == self._runs[-1][1] + 1:
            self._runs[-1][1] = record.id
        else:
            self._runs.append([record.id, record.id])
        self.advance(record.id, link)

    def finish(self) -> None:
        self._missing_up_to(None)
        super().finish()

    def ranges_after(self, position: int) -> list[Range]:
        """The stored ids after `position`, as ranges (what a new checkpoint signs)."""
        return [(max(first, position + 1), last) for first, last in self._runs
                if last > position]

    def _missing_up_to(self, position: int | None) -> None:
        """Ids recorded or signed as stored that the walk passed without meeting were
        deleted."""
        while self._next is not None and (position is None or self._next[0] <= position):
            missing, where = self._next
            if missing != position:
                end = "" if position is not None else (
                    f": the log ends at {self.last_position}, its end was cut off")
                self.bad(missing, f"{where} recorded it as stored, but it is missing{end}")
            self._next = next(self._expected, None)


def _expected_ids(witnesses: dict[int, str], signed: list[tuple[int, int, int]]
                  ) -> Iterator[tuple[int, str]]:
    """Every id the seals or a checkpoint recorded, in order, once each, with who
    recorded it (the seals first: the more precise witness)."""
    sealed = ((i, "its seal") for i in sorted(witnesses))
    checkpoints = ((i, f"checkpoint {number}")
                   for first, last, number in signed for i in range(first, last + 1))
    last = None
    for i, where in heapq.merge(sealed, checkpoints, key=lambda pair: pair[0]):
        if i != last:
            last = i
            yield i, where
