"""What a consumer admits: an integration event whose signature, source and position
check out. Anything else is refused with a reason, and the inbox parks it. The
rules are `check`, used by the inbox (through `admit`) and by reporting's rebuild
of its figures from the stream, which must count exactly what the inbox applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from shared.contracts import IntegrationEvent
from shared.messaging.envelope import Envelope
from shared.messaging.signing import HEADER, EventVerifier


@dataclass(frozen=True)
class Admitted:
    envelope: Envelope
    event: IntegrationEvent
    body: dict[str, Any]  # the envelope as parsed, before its contract read it


@dataclass(frozen=True)
class Refused:
    reason: str


#: `check`'s `parsed` when the payload was not read beforehand.
UNPARSED: Any = object()


def parse(payload: bytes) -> Any:
    """The payload as JSON, or None if it is none."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None


def check(subject: str, headers: Mapping[str, str] | None, payload: bytes,
          verifier: EventVerifier, last_position: Callable[[str], int],
          *, signed: bool | None = None, parsed: Any = UNPARSED) -> dict[str, Any] | Refused:
    """The envelope as parsed JSON, or why not. `last_position(source)`: the last
    position applied from that source (0 before any). Each source publishes in order,
    so a position at or below it is a replay (or a message out of order). `signed`:
    the verdict of `verifier` on the signature against the subject's source, if it
    was taken beforehand (in threads, or along the chain: `chainproof`). `parsed`:
    the payload as `parse` read it, if it was read beforehand."""
    signature = (headers or {}).get(HEADER)
    if not signature:
        return Refused("unsigned")
    body = parse(payload) if parsed is UNPARSED else parsed
    if body is None:
        return Refused("unreadable")
    if not isinstance(body, dict) or not ("source" in body and "type" in body
                                          and "position" in body):
        return Refused("unreadable")
    source, kind, position = body["source"], body["type"], body["position"]
    if not isinstance(position, int) or subject != f"meldingen.{source}.{kind}":
        return Refused("subject does not match the envelope's source and type")
    if not verifier.knows(source):
        return Refused("unknown source")
    if not (verifier.verify(source, payload, signature) if signed is None else signed):
        return Refused("bad signature")
    if position <= last_position(source):
        return Refused("replayed or out of order")
    return body


def admit(subject: str, headers: Mapping[str, str] | None, payload: bytes,
          verifier: EventVerifier, last_position: Callable[[str], int],
          *, signed: bool | None = None, parsed: Any = UNPARSED) -> Admitted | Refused:
    """`check`, and then the event as its contract reads it."""
    body = check(subject, headers, payload, verifier, last_position, signed=signed,
                 parsed=parsed)
    if isinstance(body, Refused):
        return body
    try:
        envelope = Envelope.model_validate(body)
        return Admitted(envelope, envelope.event(), body)
    except Exception:  # noqa: BLE001 - signed by its source, but no contract we read
        return Refused("unreadable")


#: (subject, headers, payload) of a delivered message.
Delivered = tuple[str, Mapping[str, str] | None, bytes]


def signature_holds(delivered: Delivered, verifier: EventVerifier) -> bool:
    """The verdict `check` takes on a message's signature, against its subject's
    source (`check` reads it only for an envelope whose source is its subject's)."""
    subject, headers, payload = delivered
    signature = (headers or {}).get(HEADER)
    source = subject.split(".", 2)[1] if subject.count(".") >= 2 else ""
    return bool(signature) and verifier.knows(source) and verifier.verify(
        source, payload, signature or "")
