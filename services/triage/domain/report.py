"""The melding as triage handles it: received, assessed, decided, closed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Report(Aggregate):
    """A melding in the meldpunt's queue. Its id is the id intake gave it, so a
    redelivered `melding_received` cannot create a twin."""

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return melding_id

    @event("Received")
    def __init__(
        self,
        *,
        melding_id: UUID,
        kind: str,
        theme: str,
        channel: str,
        description: str,
        involved: list[str],
        occurred: date | None,
        anonymous: bool,
        identity: dict[str, Any] | None,
        received_at: datetime,
        acknowledged_at: datetime,
    ) -> None:
        self.kind = kind
        self.theme = theme
        self.channel = channel
        self.description = description
        self.involved = involved
        self.occurred = occurred
        self.anonymous = anonymous
        self.identity = identity
        self.received_at = received_at
        self.acknowledged_at = acknowledged_at
        self.status = "received"
