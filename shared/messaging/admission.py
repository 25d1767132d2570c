"""What a consumer admits: an integration event whose signature, source and position
check out. Anything else is refused with a reason, and the inbox parks it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shared.contracts import Envelope, IntegrationEvent
from shared.messaging.signing import HEADER, EventVerifier


@dataclass(frozen=True)
class Admitted:
    envelope: Envelope
    event: IntegrationEvent


@dataclass(frozen=True)
class Refused:
    reason: str


def admit(subject: str, headers: Mapping[str, str] | None, payload: bytes,
          verifier: EventVerifier, last_position: Callable[[str], int]) -> Admitted | Refused:
    """`last_position(source)`: the last position applied from that source (0 before
    any). Each source publishes in order, so a position at or below it is a replay
    (or a message out of order)."""
    signature = (headers or {}).get(HEADER)
    if not signature:
        return Refused("unsigned")
    try:
        envelope = Envelope.decode(payload)
    except Exception:  # noqa: BLE001 - whatever the bytes are, they are no envelope
        return Refused("unreadable")
    if subject != envelope.subject:
        return Refused("subject does not match the envelope's source and type")
    if not verifier.knows(envelope.source):
        return Refused("unknown source")
    if not verifier.verify(envelope.source, payload, signature):
        return Refused("bad signature")
    if envelope.position <= last_position(envelope.source):
        return Refused("replayed or out of order")
    try:
        event = envelope.event()
    except Exception:  # noqa: BLE001 - signed by its source, but no contract we read
        return Refused("unreadable")
    return Admitted(envelope, event)
