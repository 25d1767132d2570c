"""Triage's routes for a melding's files: listed and downloaded by whoever may see
the melding; each download recorded and shown in the melding's history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from services.triage.api.deps import Parts, Triage
from services.triage.files.application import download, listed
from shared.auth import Principal
from shared.deps import authorized
from shared.files.schemas import AttachmentOut
from shared.files.serving import download as served

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.get("/meldingen/{melding_id}/attachments", response_model=list[AttachmentOut])
def list_files(
    melding_id: UUID,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.read_attachments")],
) -> list[AttachmentOut]:
    """The reporter's files: `[{id, name, size, content_type, sha256, cleaned}]`."""
    return [AttachmentOut.model_validate(f) for f in listed(triage, melding_id, principal)]


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
