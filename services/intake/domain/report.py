"""The melding as intake knows it: what was reported, the sealed or named identity,
the keyed hash of the receipt, and the mailbox between reporter and meldpunt."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidInput, InvalidTransition, NotFound

RECEIPT_NAMESPACE = UUID("6f1c8c6e-5b7e-4d0e-9f3e-6c1f2b7a9d41")
#: What the reporter's mailbox shows of the handling.
Status = Literal["received", "acknowledged", "feedback_given", "closed"]


class Report(Aggregate):
    """A melding (glossary: melding -> Report) filed at intake."""

    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        Filed: ClassVar[type[Any]]
        ReporterWrote: ClassVar[type[Any]]

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
        self.status: Status = "received"
        self.messages: list[dict[str, Any]] = []
        self.identity_reads: list[dict[str, Any]] = []

    @event("Acknowledged")
    def acknowledge(self, at: datetime, body: str) -> None:
        self.acknowledged_at = at
        self.status = "acknowledged"
        self.messages.append(
            {"from": "meldpunt", "body": body, "at": at, "purpose": "acknowledgement"})

    def check_has_sealed_identity(self) -> None:
        if self.sealed_identity is None:
            raise NotFound("This melding has no sealed identity.")

    @event("SealedIdentityRead")
    def record_identity_read(self, by: str, at: datetime) -> None:
        """The confidential adviser fetched the sealed identity: every access is on record."""
        self.check_has_sealed_identity()
        self.identity_reads.append({"by": by, "at": at})

    @event("MeldpuntWrote")
    def receive_message(self, body: str, purpose: str, at: datetime) -> None:
        """A message or the feedback from the meldpunt, for the reporter's mailbox."""
        self.messages.append({"from": "meldpunt", "body": body, "at": at, "purpose": purpose})
        if purpose == "feedback" and self.status != "closed":
            self.status = "feedback_given"

    def check_open(self) -> None:
        if self.status == "closed":
            raise InvalidTransition("The handling of this melding has ended.", state=self.status)

    @event("ReporterWrote")
    def reply(self, body: str, at: datetime) -> None:
        """The reporter answers or adds information through the mailbox."""
        self.check_open()
        self.messages.append({"from": "reporter", "body": body, "at": at, "purpose": "reply"})

    @event("Closed")
    def close(self, reason: str, at: datetime) -> None:
        self.status = "closed"
        self.closed_at = at
        self.closed_reason = reason


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
