"""The reporter's files as the case's team sees them, beside the case: what each is
(the bytes stay where intake stored them, in the files stream, under the melding's
key) and every download of one (who, when, which). Triage tells of them: those known
at the decision in `melding_decided`, each later one in `attachment_shared`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import NotFound

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:investigation:attachments")


class CaseAttachments(Aggregate):
    if TYPE_CHECKING:
        Received: ClassVar[type[Any]]
        Downloaded: ClassVar[type[Any]]

    @staticmethod
    def create_id(case_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(case_id))

    @event("Started")
    def __init__(self, case_id: UUID) -> None:
        self.case_id = case_id
        self.files: list[dict[str, Any]] = []
        self.downloads: list[dict[str, Any]] = []

    def knows(self, attachment_id: str) -> bool:
        return any(f["id"] == attachment_id for f in self.files)

    @event("Received")
    def receive(self, *, melding_id: UUID, attachment_id: str, name: str, size: int,
                content_type: str, sha256: str, cleaned: bool, chunks: int, stored_by: str,
                at: datetime) -> None:
        """`melding_id`: whose key keeps the name in the store (the case's own id)."""
        self.files.append({"id": attachment_id, "name": name, "size": size,
                           "content_type": content_type, "sha256": sha256,
                           "cleaned": cleaned, "chunks": chunks, "stored_by": stored_by,
                           "at": at})

    def file(self, attachment_id: str) -> dict[str, Any]:
        for described in self.files:
            if described["id"] == attachment_id:
                return described
        raise NotFound("No file with this id.")

    @event("Downloaded")
    def record_download(self, *, attachment_id: str, by: str, at: datetime) -> None:
        self.downloads.append({"attachment_id": attachment_id, "by": by, "at": at})

    def history(self) -> list[dict[str, Any]]:
        """The downloads as the case's history shows them."""
        return [{"what": f"attachment {d['attachment_id']} downloaded", "who": d["by"],
                 "at": d["at"]} for d in self.downloads]


#: The reporter's name for a file may say who they are: kept under the melding's key.
CONTENT_FIELDS: dict[type[Any], tuple[str, ...]] = {CaseAttachments.Received: ("name",)}
