"""Intake's files (issue 19): the reporter's, received on the form, the API and in the
mailbox, cleaned of metadata, stored sealed with the melding's key, and described to
triage as `attachment_received`; read back for the mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio.to_thread
from eventsourcing.application import AggregateNotFoundError

from services.intake.application import IntakeApplication
from services.intake.files.domain.attachments import Attachments
from shared.datakeys import DataKey
from shared.errors import DomainError
from shared.files.preparing import Prepared, cleaned
from shared.files.store import FileStore, key_of
from shared.files.upload import Limits, Received

CONFLICT = "The melding's files were changed at the same time; try again."


@dataclass(frozen=True)
class Refused:
    name: str
    error: DomainError

    def problem(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.error.status, "title": self.error.title,
                "detail": self.error.detail, **self.error.extra}


@dataclass(frozen=True)
class Outcome:
    attached: list[Prepared]
    refused: list[Refused]


class IntakeFiles:
    def __init__(self, intake: IntakeApplication, store: FileStore, limits: Limits,
                 var_dir: Path) -> None:
        self.intake = intake
        self.store = store
        self.limits = limits
        #: Where a request's files wait, private, until they are stored.
        self.var_dir = var_dir

    def attachments(self, melding_id: UUID) -> Attachments:
        try:
            stored: Attachments = self.intake.repository.get(Attachments.create_id(melding_id))
        except AggregateNotFoundError:
            return Attachments(melding_id)
        return stored

    def so_far(self, melding_id: UUID) -> tuple[int, int]:
        """The melding's files until now (count, bytes): what the limits per melding add to."""
        files = self.attachments(melding_id)
        return len(files.files), files.total_bytes

    async def prepare(self, received: list[Received]) -> Outcome:
        """Clean each file not already refused (in a thread: decoding is CPU work); a
        refusal of one keeps none of it, and the others still go."""
        outcome = Outcome([], [])
        for file in received:
            if file.refused is not None:
                outcome.refused.append(Refused(file.name, file.refused))
                continue
            try:
                outcome.attached.append(await anyio.to_thread.run_sync(cleaned, file,
                                                                       self.limits))
            except DomainError as refused:
                outcome.refused.append(Refused(file.name, refused))
        return outcome

    async def keep(self, melding_id: UUID, prepared: list[Prepared], *,
                   sender: str = "reporter") -> None:
        """Store the cleaned files under the melding's key, and record each."""
        key = await anyio.to_thread.run_sync(self._key, melding_id)
        for file in prepared:
            chunks = await self.store.put(key, file.id, file.path)
            file.path.unlink(missing_ok=True)
            await anyio.to_thread.run_sync(self._record, melding_id, file, chunks, sender)

    def _key(self, melding_id: UUID) -> DataKey:
        return key_of(self.intake.keyring, str(melding_id))

    def _record(self, melding_id: UUID, prepared: Prepared, chunks: int, sender: str) -> None:
        self.intake.update(
            lambda: self.attachments(melding_id),
            lambda files: files.attach(
                melding_id=melding_id, attachment_id=prepared.id, name=prepared.name,
                size=prepared.size, content_type=prepared.content_type,
                sha256=prepared.sha256, cleaned=prepared.cleaned, chunks=chunks,
                stored_by=self.store.service, sender=sender, at=self.intake.clock.now()),
            conflict=CONFLICT)

    async def read(self, melding_id: UUID, attachment_id: str
                   ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
        """A file of the melding's mailbox: its description and its bytes."""
        described = (await anyio.to_thread.run_sync(self.attachments, melding_id)
                     ).file(attachment_id)
        key = await anyio.to_thread.run_sync(self._key, melding_id)
        return described, self.store.read(key, described["stored_by"], attachment_id,
                                          described["chunks"])

