"""A melding's files as triage holds them, beside the melding: what each is (the
bytes are in the files stream) and every download of one (who, when, which)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.contracts import AttachmentSent
from shared.errors import NotFound

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:triage:attachments")
CONTENT_FIELDS = ("name",)


class MeldingFiles(Aggregate):
    if TYPE_CHECKING:
        Received: ClassVar[type[Any]]
        Downloaded: ClassVar[type[Any]]
        Shared: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(melding_id))

    @event("Started")
    def __init__(self, melding_id: UUID) -> None:
        self.melding_id = melding_id
        self.files: list[dict[str, Any]] = []
        self.downloads: list[dict[str, Any]] = []

    def is_shared(self, attachment_id: str) -> bool:
        return attachment_id in getattr(self, "shared", ())  # none before `share` existed

    @event("Shared")
    def share(self, *, attachment_id: str, at: datetime) -> None:
        """A file before the decision sent to the case's team afterwards (backfill.py)."""
        self.shared = [*getattr(self, "shared", []), attachment_id]

    def knows(self, attachment_id: str) -> bool:
        return any(f["id"] == attachment_id for f in self.files)

    @event("Received")
    def receive(self, *, melding_id: UUID, attachment_id: str, name: str, size: int,
                content_type: str, sha256: str, cleaned: bool, chunks: int, stored_by: str,
                at: datetime, sender: str) -> None:
        """`sender`: `reporter` (from intake), or `meldpunt` (sent to the mailbox)."""
        self.files.append({"id": attachment_id, "name": name, "size": size,
                           "content_type": content_type, "sha256": sha256,
                           "cleaned": cleaned, "chunks": chunks, "stored_by": stored_by,
                           "at": at, "from": sender})

    def file(self, attachment_id: str) -> dict[str, Any]:
        for described in self.files:
            if described["id"] == attachment_id:
                return described
        raise NotFound("No file with this id.")

    @event("Downloaded")
    def record_download(self, *, attachment_id: str, by: str, at: datetime) -> None:
        self.downloads.append({"attachment_id": attachment_id, "by": by, "at": at})

    def history(self) -> list[dict[str, Any]]:
        """The downloads as the melding's history shows them."""
        return [{"what": f"attachment {d['attachment_id']} downloaded", "who": d["by"],
                 "at": d["at"]} for d in self.downloads]


def sent_event(domain_event: Any) -> AttachmentSent | None:
    """What intake learns of a file the meldpunt sent to the reporter's mailbox."""
    e = domain_event
    if not isinstance(e, MeldingFiles.Received) or e.sender != "meldpunt":
        return None
    return AttachmentSent(
        melding_id=str(e.melding_id), attachment_id=e.attachment_id, size=e.size,
        content_type=e.content_type, sha256=e.sha256, cleaned=e.cleaned, chunks=e.chunks,
        stored_by=e.stored_by, at=e.at, name=e.name)
