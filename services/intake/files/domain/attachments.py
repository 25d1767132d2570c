"""The files that go with a melding in its mailbox, beside the melding itself: what
each is (never its bytes, which are in the files stream) and who sent it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.contracts import AttachmentReceived, AttachmentSent
from shared.errors import NotFound

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:intake:attachments")
#: The name is the reporter's words: kept under the melding's key.
CONTENT_FIELDS = ("name",)


class Attachments(Aggregate):
    """Its id follows from the melding's, so two first files cannot make two."""

    if TYPE_CHECKING:
        Attached: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(melding_id))

    @event("Started")
    def __init__(self, melding_id: UUID) -> None:
        self.melding_id = melding_id
        self.files: list[dict[str, Any]] = []

    @event("Attached")
    def attach(self, *, melding_id: UUID, attachment_id: str, name: str, size: int,
               content_type: str, sha256: str, cleaned: bool, chunks: int, stored_by: str,
               sender: str, at: datetime) -> None:
        """`sender`: `reporter` or `meldpunt`; `stored_by`: the service whose subjects
        hold its chunks."""
        self.files.append({"id": attachment_id, "name": name, "size": size,
                           "content_type": content_type, "sha256": sha256,
                           "cleaned": cleaned, "chunks": chunks, "stored_by": stored_by,
                           "from": sender, "at": at})

    @property
    def total_bytes(self) -> int:
        return sum(int(f["size"]) for f in self.files)

    def file(self, attachment_id: str) -> dict[str, Any]:
        for described in self.files:
            if described["id"] == attachment_id:
                return described
        raise NotFound("No file with this id.")


def attachment_event(domain_event: Any) -> AttachmentReceived | None:
    """What triage learns of a reporter's file (the meldpunt's own it knows already)."""
    if not isinstance(domain_event, Attachments.Attached) or domain_event.sender != "reporter":
        return None
    e = domain_event
    return AttachmentReceived(
        melding_id=str(e.melding_id), attachment_id=e.attachment_id, size=e.size,
        content_type=e.content_type, sha256=e.sha256, cleaned=e.cleaned, chunks=e.chunks,
        stored_by=e.stored_by, at=e.at, name=e.name)


def sent_to_mailbox(find: Callable[[UUID, Any], Any], event: AttachmentSent,
                    processing_event: Any) -> None:
    """The meldpunt's file, in the reporter's mailbox from now on (a copy: no change)."""
    melding_id = UUID(event.melding_id)
    files = find(Attachments.create_id(melding_id), processing_event)
    files = files if isinstance(files, Attachments) else Attachments(melding_id)
    if any(f["id"] == event.attachment_id for f in files.files):
        return
    files.attach(melding_id=melding_id, attachment_id=event.attachment_id, name=event.name,
                 size=event.size, content_type=event.content_type, sha256=event.sha256,
                 cleaned=event.cleaned, chunks=event.chunks, stored_by=event.stored_by,
                 sender="meldpunt", at=event.at)
    processing_event.collect_events(files)
