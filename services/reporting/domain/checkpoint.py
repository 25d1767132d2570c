"""Signed checkpoints: every hash chain's head at a moment, numbered and signed, so a
log whose events were cut off or deleted no longer reaches what was once signed.

Each store chain's head also carries the ids its store held beyond the previous
checkpoint (as ranges), so a deletion is named by the id that went, even when the
seals beside it went too. The checkpoints are one aggregate in reporting's store and,
through its outbox, integration events on the stream: two systems with two
administrators, checked against each other by the audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import Aggregate, event

from shared.errors import Conflict

#: The one aggregate that holds every checkpoint, one event each. (A new id: the events
#: of the unnumbered checkpoints before it stay in the store chain, read by no one.)
CHECKPOINTS_ID = uuid5(NAMESPACE_URL, "meldingen:reporting:numbered-checkpoints")
#: (first id, last id) of a run of consecutive stored ids.
Range = tuple[int, int]


class Signer(Protocol):
    public_key: str

    def sign(self, message: bytes) -> str: ...


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint. `heads`: [{chain, events, head, position[, ids]}], where
    `ids` (store chains) are the ranges of stored ids after the previous checkpoint's
    position; `misfits`: what verify found wrong when it was signed (none, usually)."""

    number: int
    heads: list[dict[str, Any]]
    misfits: list[dict[str, Any]]
    signed_at: str
    public_key: str
    signature: str

    def signed_bytes(self) -> bytes:
        return signed_bytes(self.number, self.heads, self.misfits, self.signed_at)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "heads": self.heads, "misfits": self.misfits,
                "signed_at": self.signed_at, "public_key": self.public_key,
                "signature": self.signature}


def signed_bytes(number: int, heads: list[dict[str, Any]], misfits: list[dict[str, Any]],
                 signed_at: str) -> bytes:
    """The canonical bytes that the signature covers."""
    return orjson.dumps({"number": number, "heads": heads, "misfits": misfits,
                         "signed_at": signed_at}, option=orjson.OPT_SORT_KEYS)


class Checkpoints(Aggregate):
    """The deployment's checkpoints, numbered from 1 without gaps."""

    @staticmethod
    def create_id() -> UUID:
        return CHECKPOINTS_ID

    class Signed(Aggregate.Event):
        number: int
        heads: list[dict[str, Any]]
        misfits: list[dict[str, Any]]
        signed_at: str
        public_key: str
        signature: str

    @event("Started")
    def __init__(self) -> None:
        self.count = 0
        # Plain data, as the snapshots store the aggregate's state.
        self.last_signed: dict[str, Any] | None = None

    @property
    def latest(self) -> Checkpoint | None:
        return None if self.last_signed is None else Checkpoint(**self.last_signed)

    def sign(self, heads: list[dict[str, Any]], misfits: list[dict[str, Any]],
             signed_at: str, signer: Signer) -> Checkpoint:
        number = self.count + 1
        signature = signer.sign(signed_bytes(number, heads, misfits, signed_at))
        self._signed(number=number, heads=heads, misfits=misfits, signed_at=signed_at,
                     public_key=signer.public_key, signature=signature)
        assert self.latest is not None
        return self.latest

    @event(Signed)
    def _signed(self, number: int, heads: list[dict[str, Any]],
                misfits: list[dict[str, Any]], signed_at: str, public_key: str,
                signature: str) -> None:
        if number != self.count + 1:
            raise Conflict(f"checkpoint {number} does not follow {self.count}")
        self.count = number
        self.last_signed = Checkpoint(number, heads, misfits, signed_at, public_key,
                                      signature).as_dict()


@dataclass
class Anchors:
    """What the signed checkpoints say about one chain: the head at each signed
    position, and (a store) every id once stored; each with the checkpoint's number.
    The first checkpoint that signed a place is the one that counts."""

    heads: dict[int, tuple[str, int]] = field(default_factory=dict)
    ids: list[tuple[int, int, int]] = field(default_factory=list)  # (first, last, number)

    def add(self, number: int, head: dict[str, Any]) -> None:
        self.heads.setdefault(int(head["position"]), (str(head["head"]), number))
        self.ids.extend((int(first), int(last), number) for first, last in head.get("ids", ()))

    def signed_ids(self) -> list[tuple[int, int, int]]:
        """The ranges, sorted and without overlaps (the earliest number kept)."""
        merged: list[tuple[int, int, int]] = []
        for first, last, number in sorted(self.ids, key=lambda r: (r[0], r[2])):
            if merged and first <= merged[-1][1]:
                if last > merged[-1][1]:
                    merged.append((merged[-1][1] + 1, last, number))
                continue
            merged.append((first, last, number))
        return merged


def anchors(checkpoints: list[Checkpoint]) -> dict[str, Anchors]:
    """Per chain name, what all these checkpoints signed, oldest first."""
    found: dict[str, Anchors] = {}
    for checkpoint in sorted(checkpoints, key=lambda c: c.number):
        for head in checkpoint.heads:
            found.setdefault(str(head["chain"]), Anchors()).add(checkpoint.number, head)
    return found
