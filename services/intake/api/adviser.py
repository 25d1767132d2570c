"""The confidential adviser's side of intake: the public key for sealing, the sealed
identity (ciphertext only, every fetch recorded), contact moments (counts only), and
the mailbox of the reporters whose meldingen the adviser registered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.intake.api.deps import Intake, MeldingId
from services.intake.api.schemas import (
    AdviserKeyOut,
    AdviserMailboxOut,
    ContactMomentIn,
    ContactMomentOut,
    MailboxMessage,
    ReplyIn,
    ReplyOut,
    SealedIdentityOut,
)
from shared.auth import Principal
from shared.contracts import Adviser
from shared.crypto import b64
from shared.deps import authorized

router = APIRouter(prefix="/api", tags=["adviser"])


@router.get("/adviser-key", response_model=AdviserKeyOut)
def adviser_key(intake: Intake, adviser: Adviser = "integrity") -> AdviserKeyOut:
    """The current public key of a confidential adviser, for sealing in the browser: the
    integrity adviser's (VPI), or with `adviser=conduct` the conduct adviser's (VPOO),
    for a melding of undesirable behaviour."""
    sealer = intake.sealers[adviser]
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


@router.post("/meldingen/{melding_id}/adviser-messages", status_code=201,
             response_model=ReplyOut)
def adviser_message(
    body: ReplyIn,
    melding_id: MeldingId,
    intake: Intake,
    principal: Annotated[Principal, authorized("mailbox.adviser")],
) -> ReplyOut:
    """The adviser who registered the melding writes in its reporter's mailbox."""
    return ReplyOut(at=intake.adviser_writes(melding_id, body.body, by=principal.sub))


@router.get("/meldingen/{melding_id}/adviser-messages", response_model=AdviserMailboxOut)
def adviser_messages(
    melding_id: MeldingId,
    intake: Intake,
    principal: Annotated[Principal, authorized("mailbox.adviser")],
) -> AdviserMailboxOut:
    """The adviser's messages to that reporter, and the reporter's replies."""
    shown = intake.adviser_mailbox(melding_id, by=principal.sub)
    return AdviserMailboxOut(messages=[
        MailboxMessage(from_=m["from"], body=m["body"], at=m["at"], purpose=m["purpose"])
        for m in shown])
