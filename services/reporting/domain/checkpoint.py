"""Signed checkpoints: the head of every hash chain at a moment, signed, so that a
log whose last events were cut off no longer reaches a head it once had."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import orjson
from eventsourcing.domain import DomainEvent

#: Per chain name: the (events, head, last position) a checkpoint signed.
Expected = dict[str, tuple[int, str, int]]
#: The sequence of checkpoints: one originator, one event per checkpoint.
CHECKPOINTS_ID = uuid5(NAMESPACE_URL, "meldingen:reporting:checkpoints")


@dataclass(frozen=True)  # as the library's metaclass makes it, spelled out for the checker
class CheckpointSigned(DomainEvent):
    """`heads`: [{chain, events, head, position}], as signed at `signed_at`."""

    heads: list[dict[str, Any]]
    signed_at: str
    public_key: str
    signature: str


def signed_bytes(heads: list[dict[str, Any]], signed_at: str) -> bytes:
    """The canonical bytes that the signature covers."""
    return orjson.dumps({"heads": heads, "signed_at": signed_at}, option=orjson.OPT_SORT_KEYS)


def expected_heads(checkpoint: CheckpointSigned | None) -> Expected:
    """Per chain, the (events, head, last position) that the log must still pass through."""
    if checkpoint is None:
        return {}
    return {h["chain"]: (h["events"], h["head"], h["position"]) for h in checkpoint.heads}
