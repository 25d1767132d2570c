"""Integration events taken off the stream because they carried a melding's content
in the clear (published before per-melding keys), or, once the melding is shredded, a
data key sealed to a receiver's fixed pair (`shared.fixedpair_stream`), and the signed
record each leaves in its place (docs/privacy.md, "Meldingen filed before keys",
"Boxes sealed to the fixed pair").

The stream is hash-chained per source and never rewritten otherwise. The migration
(`shared.legacy_stream`) publishes, for such a message, a record on
`meldingen.rewrites.<source>`, signed with the source's event signing key: the
message's stream sequence, its position, `prev` and `stored`, the hash of its bytes
(its link in the stream chain), and the same envelope with the content (or the
fixed pair's box) left out, signed too; then it deletes the message (JetStream erases
it). `verify` passes over the gap on the recorded hash, and the replay counts the
redacted envelope in the message's place: the figures come from what stays readable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from shared.chain.hashing import envelope_hash
from shared.contracts import CONTRACTS
from shared.messaging.signing import HEADER, EventSigner, EventVerifier

PREFIX = "meldingen.rewrites."
SUBJECTS = PREFIX + ">"


def subject_of(source: str) -> str:
    return PREFIX + source


@dataclass(frozen=True)
class StreamRewrite:
    """What the chain and the replay need of a message that was taken off."""

    source: str
    sequence: int
    position: int
    prev: str | None
    hash: str  # of the erased message's bytes: its stream-chain link
    stored: str | None
    envelope: bytes  # the same envelope without its content
    signature: str  # the source's, over `envelope`

    def encode(self) -> bytes:
        return orjson.dumps({
            "rewrite": 1, "source": self.source, "sequence": self.sequence,
            "position": self.position, "prev": self.prev, "hash": self.hash,
            "stored": self.stored, "envelope": self.envelope.decode(),
            "signature": self.signature}, option=orjson.OPT_SORT_KEYS)

    @classmethod
    def of(cls, sequence: int, payload: bytes, signer: EventSigner,
           redact: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
           ) -> StreamRewrite | None:
        """The record for a message, if `redact` (by default: content in the clear
        left out) leaves something out of it; else None."""
        envelope = orjson.loads(payload)
        redacted = (redact or without_content)(envelope)
        if redacted is None:
            return None
        body = orjson.dumps(redacted, option=orjson.OPT_SORT_KEYS)
        return cls(str(envelope["source"]), sequence, int(envelope["position"]),
                   envelope.get("prev"), envelope_hash(payload), envelope.get("stored"),
                   body, signer.sign(body))

    @classmethod
    def decode(cls, subject: str, payload: bytes, headers: Mapping[str, str] | None,
               verifier: EventVerifier) -> StreamRewrite | None:
        """The record, if its source signed it (and the envelope in it); else None."""
        source = subject.removeprefix(PREFIX)
        signature = (headers or {}).get(HEADER)
        if not subject.startswith(PREFIX) or not signature or not verifier.verify(
                source, payload, signature):
            return None
        try:
            body = orjson.loads(payload)
            record = cls(str(body["source"]), int(body["sequence"]), int(body["position"]),
                         body["prev"], str(body["hash"]), body["stored"],
                         str(body["envelope"]).encode(), str(body["signature"]))
        except (ValueError, KeyError, TypeError):
            return None
        if record.source != source or not verifier.verify(source, record.envelope,
                                                          record.signature):
            return None
        return record

    def in_place(self) -> tuple[int, str, bytes, dict[str, str]]:
        """The redacted envelope as a message at the erased one's sequence."""
        kind = str(orjson.loads(self.envelope)["type"])
        return (self.sequence, f"meldingen.{self.source}.{kind}", self.envelope,
                {HEADER: self.signature})


def without_fixed_boxes(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The envelope without the data keys it seals to a receiver's fixed pair (a box
    with no epoch before it: `shared.transportkeys`), which opens as long as the
    receiver's keyring secret does; None when it seals none so. Boxes sealed to an
    epoch stay: they close with their epoch."""
    data = envelope.get("data")
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(keys, dict):
        return None
    kept = {receiver: box for receiver, box in keys.items() if ":" in str(box)}
    if len(kept) == len(keys):
        return None
    return {**envelope, "data": {**data, "keys": kept or None}}


def without_content(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The envelope with the keyed fields its contract declares left out of its data
    (a consumer without the key reads their defaults), or None when none is there in
    the clear."""
    contract = CONTRACTS.get(str(envelope.get("type")))
    data = envelope.get("data")
    if contract is None or not isinstance(data, dict):
        return None
    clear = [name for name in contract.keyed_fields if name in data]
    if not clear:
        return None
    return {**envelope, "data": {k: v for k, v in data.items() if k not in clear}}
