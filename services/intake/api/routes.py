"""Intake's HTTP routes: they translate requests into commands and results into JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.intake.adapters.receipts import grouped
from services.intake.api.deps import Filer
from services.intake.api.schemas import FiledOut, MeldingIn
from services.intake.application import Submission
from shared.auth import Principal
from shared.authz import PERMISSIONS
from shared.deps import Unauthorized, optional_principal
from shared.errors import Forbidden

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.post("/meldingen", status_code=201, response_model=FiledOut)
async def file_melding(
    body: MeldingIn,
    filing: Filer,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    """File a melding; the receipt in the answer is shown this once."""
    if body.channel != "web":
        _check_may_register(principal)
    identity = body.identity.model_dump(exclude_none=True) if body.identity else None
    filed = await filing.file(
        Submission(
            kind=body.kind,
            theme=body.theme,
            description=body.description,
            anonymous=body.anonymous,
            channel=body.channel,
            involved=tuple(body.involved),
            occurred=body.occurred,
            identity=identity or None,
            identity_sealed=body.identity_sealed,
            key_id=body.key_id,
        )
    )
    out = FiledOut(id=str(filed.id), receipt=grouped(filed.receipt),
                   acknowledged_at=filed.acknowledged_at)
    # Serialised here, once: FastAPI would validate the model again against
    # `response_model` (kept for the OpenAPI document) and encode it in two passes.
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


def _check_may_register(principal: Principal | None) -> None:
    """Only staff register a melding on a reporter's behalf (channel other than web)."""
    if principal is None:
        raise Unauthorized("Registering on a reporter's behalf needs a staff token.")
    if principal.role not in PERMISSIONS["melding.register_for_reporter"]:
        raise Forbidden(f"The role {principal.role!r} may not register meldingen.")
