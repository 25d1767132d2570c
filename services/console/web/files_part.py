"""The files on the melding's and the case's pages: the reporter's (and on the melding
page the meldpunt's to the mailbox), listed for whom triage or investigation lets see
them, each a link that downloads it through that service, which records the download
as this person's. A download is passed on as it comes, a chunk at a time: the console
never holds a file whole."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from services.console.adapters.calls import Refusal
from services.console.adapters.investigation import Case
from services.console.adapters.triage import PageRead
from services.console.web.access import SignedIn
from services.console.web.pages import person_for, refused, services
from shared.authz import MeldingParties

router = APIRouter(include_in_schema=False)
#: What the service's answer carries that the browser must keep: attachment, no
#: sniffing; and what the raw bytes passed on are (their length, their encoding).
PASSED_ON = ("content-type", "content-length", "content-encoding", "content-disposition",
             "content-security-policy", "x-content-type-options", "cache-control")


async def files_context(request: Request, person: SignedIn, read: PageRead,
                        parties: MeldingParties) -> dict[str, Any]:
    acting = person.acting("melding.read_attachments", parties)
    if acting is None:
        return {"attachments": []}
    if (page := read.for_(acting)) is not None:
        return {"attachments": page.attachments or []}
    try:
        return {"attachments": await services(request).triage.attachments(
            acting, read.page.melding.id)}
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
    return passed_on(answer)


async def case_files_context(request: Request, person: SignedIn, case: Case,
                             parties: MeldingParties) -> dict[str, Any]:
    acting = person.acting("case.read_content", parties)
    if acting is None:
        return {"attachments": []}
    try:
        return {"attachments": await services(request).investigation.attachments(
            acting, case.id)}
    except Refusal:
        return {"attachments": []}  # the rest of the page still shows


@router.get("/cases/{case_id}/attachments/{attachment_id}")
async def case_download(request: Request, case_id: str, attachment_id: str) -> Response:
    found = person_for(request, "case.read_content")
    if isinstance(found, Response):
        return found
    person, acting = found
    try:
        answer = await services(request).investigation.attachment(acting, case_id,
                                                                  attachment_id)
    except Refusal as failed:
        return refused(request, person, failed)
    return passed_on(answer)


@router.get("/cases/{case_id}/evidence/{file_id}")
async def evidence_download(request: Request, case_id: str, file_id: str) -> Response:
    found = person_for(request, "case.read_content")
    if isinstance(found, Response):
        return found
    person, acting = found
    try:
        answer = await services(request).investigation.evidence_file(acting, case_id, file_id)
    except Refusal as failed:
        return refused(request, person, failed)
    return passed_on(answer)


def passed_on(answer: httpx.Response) -> StreamingResponse:
    """The service's streamed answer to the browser as it comes, closed when sent or
    when the browser goes away (a background task would not run then)."""
    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer.aiter_raw():
                yield chunk
        finally:
            await answer.aclose()

    return StreamingResponse(body(), headers={name: answer.headers[name]
                                              for name in PASSED_ON if name in answer.headers})
