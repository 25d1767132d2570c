"""A file of the mailbox page, downloaded by a plain form post (no JavaScript): the
short-lived mailbox token travels in its hidden field, as on the page's other forms."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.intake.api.deps import Files, Login
from services.intake.web.rendering import cross_site, posted_fields
from shared.auth import InvalidToken
from shared.deps import Unauthorized
from shared.errors import Forbidden
from shared.files.serving import download

router = APIRouter(prefix="/mailbox", include_in_schema=False)


@router.post("/attachments/{attachment_id}", response_class=StreamingResponse)
async def get_file(attachment_id: str, request: Request, login: Login,
                   files: Files) -> StreamingResponse:
    if cross_site(request):
        raise Forbidden("A file is downloaded from the mailbox page itself.")
    posted = await posted_fields(request)
    try:
        melding_id = login.tokens.verify(posted.get("mailbox_token", ""))
    except InvalidToken:
        raise Unauthorized("The mailbox has closed; open it again with your code.") from None
    described, chunks = await files.read(melding_id, attachment_id)
    return download(chunks, name=described["name"], content_type=described["content_type"],
                    size=described["size"])
