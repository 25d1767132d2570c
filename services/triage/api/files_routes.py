"""Triage's routes for a melding's files: listed and downloaded by whoever may see
the melding; each download recorded and shown in the melding's history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.triage.api.deps import Parts, Triage
from services.triage.files.application import download, listed, send
from shared.auth import Principal
from shared.deps import authorized
from shared.errors import InvalidInput
from shared.files.preparing import cleaned
from shared.files.schemas import FILE_BODY, AttachmentOut
from shared.files.serving import download as served
from shared.files.upload import receive, workdir

router = APIRouter(prefix="/api", tags=["meldingen"])
FILE_FIELD = frozenset({"file"})


@router.get("/meldingen/{melding_id}/attachments", response_model=list[AttachmentOut])
def list_files(
    melding_id: UUID,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.read_attachments")],
) -> list[AttachmentOut]:
    """The reporter's files: `[{id, name, size, content_type, sha256, cleaned}]`."""
    return [AttachmentOut.model_validate(f) for f in listed(triage, melding_id, principal)]


@router.post("/meldingen/{melding_id}/attachments", status_code=201,
             response_model=AttachmentOut, openapi_extra=FILE_BODY)
async def send_file(
    melding_id: UUID,
    request: Request,
    parts: Parts,
    principal: Annotated[Principal, authorized("melding.message_reporter")],
) -> AttachmentOut:
    """A file from the meldpunt to the reporter's mailbox (multipart field `file`),
    without its metadata where its type allows."""
    uploads = parts.uploads
    async with workdir(uploads.var_dir, "triage") as directory:
        upload = await receive(request, uploads.limits, directory, file_fields=FILE_FIELD)
        if len(upload.files) != 1:
            raise InvalidInput("Send one file, in the field `file`.", field="file")
        [received] = upload.files
        if received.refused is not None:
            raise received.refused
        prepared = await anyio.to_thread.run_sync(cleaned, received, uploads.limits)
        await send(parts.application, parts.files, melding_id, prepared, principal)
    return AttachmentOut.model_validate(prepared.described())


@router.get("/meldingen/{melding_id}/attachments/{attachment_id}",
            response_class=StreamingResponse)
async def get_file(
    melding_id: UUID,
    attachment_id: str,
    parts: Parts,
    principal: Annotated[Principal, authorized("melding.read_attachments")],
) -> StreamingResponse:
    """The file, as an attachment under its cleaned name; the download is recorded."""
    described, chunks = await download(parts.application, parts.files, melding_id,
                                       attachment_id, principal)
    return served(chunks, name=described["name"], content_type=described["content_type"],
                  size=described["size"])
