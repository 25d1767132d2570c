"""Intake's HTTP routes: they translate requests into commands and results into JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from services.intake.adapters.receipts import grouped
from services.intake.api.deps import Filer
from services.intake.api.schemas import FiledOut, MeldingIn
from shared.deps import Permit, permitted

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.post("/meldingen", status_code=201, response_model=FiledOut)
async def file_melding(
    body: MeldingIn,
    filing: Filer,
    staff: Annotated[Permit, permitted("melding.register_for_reporter")],
) -> Response:
    """File a melding; the receipt in the answer is shown this once."""
    # Only staff register a melding on a reporter's behalf; a staff token always does.
    on_behalf = staff.principal is not None or body.on_behalf()
    filed = await filing.file(body.submission(staff.require() if on_behalf else None))
    out = FiledOut(id=str(filed.id), receipt=grouped(filed.receipt),
                   acknowledged_at=filed.acknowledged_at)
    # Serialised here, once: FastAPI would validate the model again against
    # `response_model` (kept for the OpenAPI document) and encode it in two passes.
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")
