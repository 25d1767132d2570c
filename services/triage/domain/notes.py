"""The staff's internal notes on a melding: written by the meldpunt and the melding's
competent authority, read by the staff who may see the melding, never by the reporter
(no note leaves triage as an event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:triage:notes")


class Notes(Aggregate):
    """The notes on one melding, oldest first; its id follows from the melding's, so
    two first notes written at once cannot make two of these."""

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(melding_id))

    @event("Started")
    def __init__(self, melding_id: UUID) -> None:
        self.melding_id = melding_id
        self.notes: list[dict[str, Any]] = []

    @event("Written")
    def write(self, *, body: str, by: str, at: datetime) -> None:
        self.notes.append({"body": body, "by": by, "at": at})
