"""Parked messages: what a consumer refused (a forged, unsigned, replayed or unreadable
message) is kept in the consumer's own event store, encrypted like everything there
and tracked like an applied message, so the consumer goes on with the next one."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic


@dataclass(frozen=True)
class Parking:
    """A refused message on its way into the store, in place of an integration event."""

    stream: str
    sequence: int
    subject: str
    reason: str
    payload: bytes


class ParkedMessage(Aggregate):
    @staticmethod
    def create_id(stream: str, sequence: int, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"meldingen:parked:{stream}:{sequence}")

    class Parked(Aggregate.Created):
        stream: str
        sequence: int
        subject: str
        reason: str
        payload: str

    @event(Parked)
    def __init__(self, stream: str, sequence: int, subject: str, reason: str,
                 payload: str) -> None:
        self.stream = stream
        self.sequence = sequence
        self.subject = subject
        self.reason = reason
        self.payload = payload  # base64: the bytes as they arrived

    @classmethod
    def of(cls, parking: Parking) -> ParkedMessage:
        return cls(stream=parking.stream, sequence=parking.sequence, subject=parking.subject,
                   reason=parking.reason, payload=base64.b64encode(parking.payload).decode())


#: The stored topic of a parking, for counting them without reading their state.
PARKED_TOPIC = get_topic(ParkedMessage.Parked)


def _parked(recorder: Any, page: int = 1000) -> Iterator[Notification]:
    start = None
    while True:
        found = recorder.select_notifications(start, page, topics=[PARKED_TOPIC],
                                              inclusive_of_start=False)
        yield from found
        if len(found) < page:
            return
        start = found[-1].id


def count_parked(recorder: Any) -> int:
    return sum(1 for _ in _parked(recorder))


def parked_sequences(recorder: Any, mapper: Any, stream: str) -> frozenset[int]:
    """The stream sequences this store's inbox parked (refused)."""
    events = (mapper.to_domain_event(n) for n in _parked(recorder))
    return frozenset(e.sequence for e in events if e.stream == stream)
