"""The confidential adviser's side of intake: the public key for sealing, the sealed
identity (ciphertext only, every fetch recorded) and contact moments (counts only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.intake.api.deps import Intake, MeldingId
from services.intake.api.schemas import (
    AdviserKeyOut,
    ContactMomentIn,
    ContactMomentOut,
    SealedIdentityOut,
)
from shared.auth import Principal
from shared.crypto import b64
from shared.deps import authorized

router = APIRouter(prefix="/api", tags=["adviser"])


@router.get("/adviser-key", response_model=AdviserKeyOut)
def adviser_key(intake: Intake) -> AdviserKeyOut:
    """The current public key of the confidential adviser, for sealing in the browser."""
    sealer = intake.sealer
    return AdviserKeyOut(key_id=sealer.current, public_key=b64(sealer.public_keys[sealer.current]))


@router.get("/meldingen/{melding_id}/sealed-identity", response_model=SealedIdentityOut)
def sealed_identity(
    principal: Annotated[Principal, authorized("identity.read_sealed")],
    melding_id: MeldingId,
    intake: Intake,
) -> SealedIdentityOut:
    """The anonymous reporter's identity, sealed; opened only with the adviser's key."""
    sealed = intake.read_sealed_identity(melding_id, by=principal.sub)
    return SealedIdentityOut(key_id=sealed["key_id"], sealed=sealed["sealed"])


@router.post("/contact-moments", status_code=201, response_model=ContactMomentOut)
def contact_moment(
    body: ContactMomentIn,
    intake: Intake,
    _: Annotated[Principal, authorized("contact_moment.record")],
) -> ContactMomentOut:
    """Count a conversation with a confidential adviser (no names, no content)."""
    moment_id = intake.record_contact_moment(adviser=body.adviser, theme=body.theme,
                                             on=body.date)
    return ContactMomentOut(id=str(moment_id))
