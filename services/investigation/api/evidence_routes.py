"""A case's evidence: an investigator's file (multipart: `description` and `file`), kept
byte for byte under the melding's key with its sha256 computed here; or, as before, a
description and the sha256 of a file kept outside (JSON). A kept file is downloaded by
whoever may read the case's content; so are the reporter's files with the melding."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from services.investigation.api.deps import Parts
from services.investigation.api.routes import Investigator, _case
from services.investigation.api.schemas import CaseOut, EvidenceIn
from services.investigation.files import application as evidence
from services.investigation.files import attachments
from shared.auth import Principal
from shared.deps import authorized
from shared.errors import InvalidInput
from shared.files.preparing import kept
from shared.files.schemas import AttachmentOut
from shared.files.serving import download
from shared.files.upload import receive, workdir

router = APIRouter(prefix="/api", tags=["cases"])
FILE_FIELD = frozenset({"file"})
BODIES = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": EvidenceIn.model_json_schema()},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["description", "file"],
        "properties": {"description": {"type": "string"},
                       "file": {"type": "string", "format": "binary"}}}}}}}


@router.post("/cases/{case_id}/evidence", response_model=CaseOut, openapi_extra=BODIES)
async def add_evidence(case_id: UUID, request: Request, parts: Parts,
                       principal: Investigator) -> CaseOut:
    """A piece of evidence: its description and its file, or the SHA-256 of a file kept
    outside."""
    app = parts.application
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        try:
            body = EvidenceIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
        case = await anyio.to_thread.run_sync(app.add_evidence, case_id, body.description,
                                              body.sha256, principal)
        return _case(case, principal)
    uploads = parts.uploads
    async with workdir(uploads.var_dir, "investigation") as directory:
        upload = await receive(request, uploads.limits, directory, file_fields=FILE_FIELD)
        description = upload.fields.get("description", "").strip()
        if not description:
            raise InvalidInput("Describe the evidence.", field="description")
        if len(upload.files) != 1:
            raise InvalidInput("Send one file, in the field `file`.", field="file")
        [received] = upload.files
        if received.refused is not None:
            raise received.refused
        prepared = await anyio.to_thread.run_sync(kept, received)
        case = await evidence.add(app, parts.files, case_id, description, prepared,
                                  principal)
    return _case(case, principal)


@router.get("/cases/{case_id}/evidence/{file_id}", response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def download_evidence(
        case_id: UUID, file_id: str, parts: Parts,
        principal: Annotated[Principal, authorized("case.read_content")],
) -> StreamingResponse:
    """The evidence file, byte for byte as uploaded, as an attachment; the download is
    in the case's history. 404 for a case the caller may not read, as for none."""
    described, chunks = await evidence.download(parts.application, parts.files, case_id,
                                                file_id, principal)
    return download(chunks, name=described["name"], content_type=described["content_type"],
                    size=described["size"])


@router.get("/cases/{case_id}/attachments", response_model=list[AttachmentOut])
def list_attachments(
        case_id: UUID, parts: Parts,
        principal: Annotated[Principal, authorized("case.read_content")],
) -> list[AttachmentOut]:
    """The reporter's files with the melding: `[{id, name, size, content_type, sha256,
    cleaned}]`; 404 for a case the caller may not read, as for none."""
    return [AttachmentOut.model_validate(f)
            for f in attachments.listed(parts.application, case_id, principal)]


@router.get("/cases/{case_id}/attachments/{attachment_id}",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def download_attachment(
        case_id: UUID, attachment_id: str, parts: Parts,
        principal: Annotated[Principal, authorized("case.read_content")],
) -> StreamingResponse:
    """The reporter's file as intake stored it (cleaned where its type allows), as an
    attachment under its cleaned name; the download is in the case's history."""
    described, chunks = await attachments.download(parts.application, parts.files, case_id,
                                                   attachment_id, principal)
    return download(chunks, name=described["name"], content_type=described["content_type"],
                    size=described["size"])
