"""`POST /api/meldingen` as multipart (issue 19): the melding as its JSON document in
the part `melding` (the same `MeldingIn` as the JSON body, so one schema and one set
of rules), and its files in `attachments` parts (several). A refused file does not
stop the melding: it is filed with the files that were let in, and the answer names
each refused one with its reason (as the problem+json of the mailbox would have it).
A request that is bad as a whole (no `melding` part, a melding that does not
validate, a malformed or unlimited body) is refused with problem+json and nothing
is filed."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from services.intake.api.schemas import FiledOut, MeldingIn
from services.intake.files.application import IntakeFiles, Refused
from shared.errors import DomainError, InvalidInput
from shared.files.preparing import Prepared
from shared.files.schemas import AttachmentOut
from shared.files.upload import receive

MELDING_PART = "melding"
FILE_PARTS = frozenset({"attachments"})
#: Added to the operation's JSON body in the OpenAPI document (FastAPI merges it).
MULTIPART_BODY: dict[str, Any] = {"requestBody": {"content": {"multipart/form-data": {
    "schema": {"type": "object", "required": [MELDING_PART], "properties": {
        MELDING_PART: {"type": "string", "contentMediaType": "application/json",
                       "description": "the melding: the JSON body's document (MeldingIn)"},
        "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
    }}}}}}


class RefusedFileOut(BaseModel):
    name: str = Field(description="the file's name as sent, cleaned of any path")
    status: int = Field(description="what the mailbox would have answered: 413 or 422")
    title: str
    detail: str = Field(description="why, naming the limit or rule")
    limit: str | None = Field(None, description="the setting whose limit it broke")


class FiledWithFilesOut(FiledOut):
    attachments: list[AttachmentOut] = Field(description="the files kept with it")
    refused: list[RefusedFileOut] = Field(description="the files not kept, and why")


def parsed(document: str) -> MeldingIn:
    """The part's melding; its errors as FastAPI words a JSON body's, under `melding`."""
    try:
        return MeldingIn.model_validate_json(document)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", MELDING_PART, *e["loc"])} for e in exc.errors()]) from None


def with_files(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


class WithFiles:
    """One multipart filing: its files received and cleaned before the melding is
    filed (a refusal of the request as a whole then files nothing), kept after."""

    def __init__(self, files: IntakeFiles, directory: Path) -> None:
        self.files = files
        #: The request's private directory for its files (`shared.files.upload.workdir`).
        self.directory = directory
        self.attached: list[Prepared] = []
        self.refused: list[Refused] = []

    async def receive(self, request: Request) -> MeldingIn:
        upload = await receive(request, self.files.limits, self.directory,
                               file_fields=FILE_PARTS)
        document = upload.fields.get(MELDING_PART)
        if document is None:
            raise InvalidInput("Send the melding as its JSON document in the part "
                               f"`{MELDING_PART}`.", field=MELDING_PART)
        body = parsed(document)
        outcome = await self.files.prepare(upload.files)
        self.attached, self.refused = outcome.attached, outcome.refused
        return body

    async def keep(self, melding_id: UUID) -> None:
        """Each file stored on its own: one the store cannot take (NATS away) is named
        as refused, so the client sends it again through the mailbox, and the filed
        melding is never answered as failed."""
        kept: list[Prepared] = []
        for file in self.attached:
            try:
                await self.files.keep(melding_id, [file])
                kept.append(file)
            except DomainError as failed:
                self.refused.append(Refused(file.name, failed))
        self.attached = kept

    def answer(self, filed: FiledOut) -> FiledWithFilesOut:
        return FiledWithFilesOut(
            **filed.model_dump(),
            attachments=[AttachmentOut.model_validate(f.described()) for f in self.attached],
            refused=[RefusedFileOut.model_validate(r.problem()) for r in self.refused])
