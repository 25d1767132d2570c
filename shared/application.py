"""The base of every service's eventsourcing application.

Each service is a `ProcessApplication`: it records its own aggregates' events and
reacts, in `policy`, to integration events from other services (fed in by
`shared.messaging.inbox`), with a tracking record in the same transaction.
Each service declares its own `@singledispatchmethod policy` and registers one
handler per integration event it consumes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Recording, Transcoding
from eventsourcing.system import ProcessApplication

from shared.contracts import IntegrationEvent


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ServiceApplication(ProcessApplication[UUID]):
    #: The service's name: table prefix, NATS subject part and message-id prefix.
    name: ClassVar[str]

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._on_recorded: list[Callable[[list[Recording[UUID]]], None]] = []

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def on_recorded(self, callback: Callable[[list[Recording[UUID]]], None]) -> None:
        """Call `callback` with the recordings of every commit (views update, and the
        outbox relay wakes up, on it)."""
        self._on_recorded.append(callback)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        super()._notify(recordings)
        if recordings:
            for callback in self._on_recorded:
                callback(recordings)

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        """The integration event to publish for one of this service's domain events,
        or None for events that stay inside the service."""
        return None
