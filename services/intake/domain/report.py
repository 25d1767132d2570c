"""The melding as intake knows it: what was reported, the sealed or named identity,
the keyed hash of the receipt, and the mailbox between reporter and meldpunt."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidInput

RECEIPT_NAMESPACE = UUID("6f1c8c6e-5b7e-4d0e-9f3e-6c1f2b7a9d41")


class Report(Aggregate):
    """A melding (glossary: melding -> Report) filed at intake."""

    @event("Filed")
    def __init__(
        self,
        *,
        kind: str,
        theme: str,
        description: str,
        involved: list[str],
        occurred: date | None,
        channel: str,
        anonymous: bool,
        identity: dict[str, Any] | None,
        sealed_identity: dict[str, str] | None,
        received_at: datetime,
    ) -> None:
        if anonymous and identity is not None:
            raise InvalidInput("An anonymous melding carries no identity in the clear.",
                               field="identity")
        self.kind = kind
        self.theme = theme
        self.description = description
        self.involved = involved
        self.occurred = occurred
        self.channel = channel
        self.anonymous = anonymous
        self.identity = identity
        self.sealed_identity = sealed_identity
        self.received_at = received_at
        self.acknowledged_at: datetime | None = None
        self.messages: list[dict[str, Any]] = []

    @event("Acknowledged")
    def acknowledge(self, at: datetime, body: str) -> None:
        self.acknowledged_at = at
        self.messages.append({"from": "meldpunt", "body": body, "at": at})


class Receipt(Aggregate):
    """Finds a melding by its receipt: the id is derived from the receipt's keyed hash,
    so the code itself is never stored and a lookup is one read by id."""

    @staticmethod
    def create_id(digest: str) -> UUID:
        return uuid5(RECEIPT_NAMESPACE, digest)

    @event("Issued")
    def __init__(self, *, digest: str, report_id: UUID) -> None:
        self.digest = digest
        self.report_id = report_id
