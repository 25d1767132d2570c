"""The meldpunt's desk for one melding, beside the melding itself: the staff's internal
notes (never the reporter's to see: no event carries them out of triage) and how far
the meldpunt has read the reporter's replies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:triage:desk")


class Desk(Aggregate):
    """Its id follows from the melding's, so two first writers cannot make two."""

    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        RepliesRead: ClassVar[type[Any]]
        NoteWritten: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(melding_id))

    @event("Started")
    def __init__(self, melding_id: UUID) -> None:
        self.melding_id = melding_id
        self.notes: list[dict[str, Any]] = []
        #: the moment of the latest reply the meldpunt has opened the melding since
        self.read_up_to: datetime | None = None

    @event("NoteWritten")
    def write_note(self, *, body: str, by: str, at: datetime,
                   melding_id: UUID | None = None) -> None:
        """`melding_id`: whose key keeps the note (notes from before it was kept, none)."""
        self.notes.append({"body": body, "by": by, "at": at})

    def unread(self, latest_reply: datetime | None) -> bool:
        return latest_reply is not None and (self.read_up_to is None
                                             or latest_reply > self.read_up_to)

    @event("RepliesRead")
    def read_replies(self, *, up_to: datetime, by: str, at: datetime) -> None:
        self.read_up_to = up_to
