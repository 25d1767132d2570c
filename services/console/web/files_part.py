"""The melding page's files: the reporter's (and the meldpunt's to the mailbox), listed
for whom triage lets see them, each a link that downloads it through triage, which
records the download as this person's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.adapters.calls import Refusal
from services.console.adapters.triage import Melding
from services.console.web.access import SignedIn
from services.console.web.pages import person_for, refused, services
from shared.authz import MeldingParties

router = APIRouter(include_in_schema=False)
#: What triage's answer carries that the browser must keep: attachment, no sniffing.
PASSED_ON = ("content-type", "content-disposition", "content-security-policy",
             "x-content-type-options")


async def files_context(request: Request, person: SignedIn, melding: Melding,
                        parties: MeldingParties) -> dict[str, Any]:
    acting = person.acting("melding.read_attachments", parties)
    if acting is None:
        return {"attachments": []}
    try:
        return {"attachments": await services(request).triage.attachments(acting, melding.id)}
    except Refusal:
        return {"attachments": []}  # the rest of the page still shows


@router.get("/meldingen/{melding_id}/attachments/{attachment_id}")
async def download(request: Request, melding_id: str, attachment_id: str) -> Response:
    found = person_for(request, "melding.read_attachments")
    if isinstance(found, Response):
        return found
    person, acting = found
    try:
        answer = await services(request).triage.attachment(acting, melding_id, attachment_id)
    except Refusal as failed:
        return refused(request, person, failed)
    return Response(answer.content, headers={
        name: answer.headers[name] for name in PASSED_ON if name in answer.headers})
