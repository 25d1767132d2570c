"""A case's evidence files as investigation holds them, beside the case: what each is
(the bytes are in the files stream) and every download of one (who, when, which). Kept
apart from `Case`, so a download is recorded whatever step the case is at."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import NotFound

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:investigation:evidence-files")


class EvidenceFiles(Aggregate):
    if TYPE_CHECKING:
        Kept: ClassVar[type[Any]]
        Downloaded: ClassVar[type[Any]]

    @staticmethod
    def create_id(case_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(case_id))

    @event("Started")
    def __init__(self, case_id: UUID) -> None:
        self.case_id = case_id
        self.files: list[dict[str, Any]] = []
        self.downloads: list[dict[str, Any]] = []

    @event("Kept")
    def keep(self, *, file_id: str, name: str, size: int, content_type: str, sha256: str,
             chunks: int, by: str, at: datetime, melding_id: UUID | None = None) -> None:
        """`melding_id`: whose key keeps the name in the store (the case's own id; the
        aggregate's id is not the melding's). Files kept before it named it have their
        name in the clear."""
        self.files.append({"id": file_id, "name": name, "size": size,
                           "content_type": content_type, "sha256": sha256,
                           "chunks": chunks, "by": by, "at": at})

    def file(self, file_id: str) -> dict[str, Any]:
        for described in self.files:
            if described["id"] == file_id:
                return described
        raise NotFound("No evidence file with this id.")

    @event("Downloaded")
    def record_download(self, *, file_id: str, by: str, at: datetime) -> None:
        self.downloads.append({"file_id": file_id, "by": by, "at": at})

    def history(self) -> list[dict[str, Any]]:
        """The downloads as the case's history shows them."""
        return [{"what": f"evidence file {d['file_id']} downloaded", "who": d["by"],
                 "at": d["at"]} for d in self.downloads]


#: The file's name is the case's content: kept under the melding's key.
CONTENT_FIELDS: dict[type[Any], tuple[str, ...]] = {EvidenceFiles.Kept: ("name",)}
