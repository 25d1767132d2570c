"""Files in the reporter's mailbox: the reporter sends one to the meldpunt (cleaned of
its metadata first), and downloads what is there either way."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.intake.api.deps import Files, MailboxHolder
from shared.errors import InvalidInput
from shared.files.schemas import FILE_BODY, AttachmentOut
from shared.files.serving import download
from shared.files.upload import receive, workdir

router = APIRouter(prefix="/api/mailbox", tags=["mailbox"])
FILE_FIELD = frozenset({"file"})


@router.post("/attachments", status_code=201, response_model=AttachmentOut,
             openapi_extra=FILE_BODY)
async def send_file(request: Request, melding_id: MailboxHolder, files: Files) -> AttachmentOut:
    """A file for the meldpunt (multipart field `file`): its metadata removed where its
    type allows, then stored; refused with the limit or reason named."""
    async with workdir(files.var_dir, "intake") as directory:
        upload = await receive(request, files.limits, directory, file_fields=FILE_FIELD,
                               already=files.so_far(melding_id))
        if len(upload.files) != 1:
            raise InvalidInput("Send one file, in the field `file`.", field="file")
        outcome = await files.prepare(upload.files)
        if outcome.refused:
            raise outcome.refused[0].error
        await files.keep(melding_id, outcome.attached)
    return AttachmentOut.model_validate(outcome.attached[0].described())


@router.get("/attachments/{attachment_id}", response_class=StreamingResponse)
async def get_file(attachment_id: str, melding_id: MailboxHolder,
                   files: Files) -> StreamingResponse:
    """A file of the mailbox, either way, as an attachment."""
    described, chunks = await files.read(melding_id, attachment_id)
    return download(chunks, name=described["name"], content_type=described["content_type"],
                    size=described["size"])
