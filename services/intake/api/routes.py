"""Intake's HTTP routes: they translate requests into commands and results into JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from services.intake.adapters.receipts import grouped
from services.intake.api.deps import Filer, Files
from services.intake.api.filing_files import MULTIPART_BODY, WithFiles, with_files
from services.intake.api.schemas import FiledOut, MeldingIn
from services.intake.domain.submission import Filed, Submission
from shared.deps import Permit, permitted
from shared.files.upload import workdir

router = APIRouter(prefix="/api", tags=["meldingen"])


Staff = Annotated[Permit, permitted("melding.register_for_reporter")]


async def file_melding(body: MeldingIn, filing: Filer, staff: Staff) -> Response:
    """File a melding; the receipt in the answer is shown this once. As multipart, the
    melding's JSON document in the part `melding` and its files in `attachments`
    parts: the answer adds `attachments` (kept) and `refused` (each with its reason)."""
    filed = await filing.file(_submission(body, staff))
    return _created(_filed(filed))


async def file_melding_with_files(request: Request, filing: Filer, files: Files,
                                  staff: Staff) -> Response:
    async with workdir(files.var_dir, "intake") as directory:
        upload = WithFiles(files, directory)
        body = await upload.receive(request)
        filed = await filing.file(_submission(body, staff))
        await upload.keep(filed.id)
    return _created(upload.answer(_filed(filed)))


def _submission(body: MeldingIn, staff: Permit) -> Submission:
    # Only staff register a melding on a reporter's behalf; a staff token always does.
    on_behalf = staff.principal is not None or body.on_behalf()
    return body.submission(staff.require() if on_behalf else None)


def _filed(filed: Filed) -> FiledOut:
    return FiledOut(id=str(filed.id), receipt=grouped(filed.receipt),
                    acknowledged_at=filed.acknowledged_at)


def _created(out: BaseModel) -> Response:
    # Serialised here, once: FastAPI would validate the model again against
    # `response_model` (kept for the OpenAPI document) and encode it in two passes.
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


class _JsonOrMultipart(APIRoute):
    """`POST /api/meldingen`: a JSON body goes to `file_melding` as FastAPI reads it
    (the fast path, unchanged), a multipart one to `file_melding_with_files`, which
    streams its files; one route, so one address and one OpenAPI operation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        as_json = super().get_route_handler()
        with_files_handler = APIRoute(self.path, file_melding_with_files,
                                      methods=["POST"]).get_route_handler()

        async def handler(request: Request) -> Response:
            return await (with_files_handler if with_files(request) else as_json)(request)

        return handler


router.add_api_route("/meldingen", file_melding, methods=["POST"], status_code=201,
                     response_model=FiledOut, openapi_extra=MULTIPART_BODY,
                     route_class_override=_JsonOrMultipart)
