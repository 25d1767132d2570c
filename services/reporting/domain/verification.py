"""The verdicts of a verification: which checkpoints hold, and which stream messages
no stored event backs. What was walked (stream, stores, checkpoint log) is read by
`adapters/verification.py`; this is what is concluded from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from services.reporting.domain.chains import Break, ChainCheck, StoreCheck, StreamCheck
from services.reporting.domain.checkpoint import Checkpoint
from shared.config import SERVICES
from shared.contracts import CheckpointSigned


class Verifier(Protocol):
    def verify(self, message: bytes, signature: str) -> bool: ...


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


def cross_check(stored: dict[int, tuple[Checkpoint, int]], published: int,
                 on_stream: dict[int, Checkpoint], logged: dict[int, Checkpoint],
                 verifier: Verifier, breaks: list[Break]) -> list[Checkpoint]:
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
        valid = [c for c in held.values() if signed(c, verifier)]
        if valid:
            trusted.append(valid[0])
        else:
            breaks.append(Break("checkpoint", number, "the checkpoint's signature does "
                                f"not verify (in {' and '.join(held)})"))
    return trusted


def signed(checkpoint: Checkpoint, verifier: Verifier) -> bool:
    return verifier.verify(checkpoint.signed_bytes(), checkpoint.signature)


def _pending(place: str, number: int, stored: dict[int, tuple[Checkpoint, int]],
             published: int, newest: int) -> bool:
    """Not yet there, rather than removed: a stored checkpoint the relay had not
    published when the stream was read; the newest, not yet logged after a crash."""
    if place == "the stream":
        return number in stored and stored[number][1] > published
    return place == "the checkpoint log" and number == newest


def checkpoint_of(data: Any) -> Checkpoint | None:
    try:
        signed = CheckpointSigned.model_validate(data)
    except ValueError:
        return None
    return Checkpoint(signed.number, signed.heads, signed.misfits, signed.signed_at,
                      signed.public_key, signed.signature)


def check_anchors(found: Found) -> None:
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


def head_of(chain: ChainCheck, latest: Checkpoint | None) -> dict[str, Any]:
    head: dict[str, Any] = {"chain": chain.chain, "events": chain.count, "head": chain.head,
                            "position": chain.last_position}
    if isinstance(chain, StoreCheck):
        before = next((int(h["position"]) for h in (latest.heads if latest else [])
                       if h["chain"] == chain.chain), 0)
        head["ids"] = [list(r) for r in chain.ranges_after(before)]
    return head


def others(heads: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The heads but reporting's own chains, which each checkpoint itself extends."""
    return [(h["chain"], h["events"], h["head"], h["position"]) for h in heads
            if not h["chain"].endswith(":reporting")]
