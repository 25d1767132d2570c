"""What staff did with meldingen, as lists without content: the meldingen someone
registered on a reporter's behalf, and every fetch of a sealed identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.api.deps import StaffLogView
from services.intake.api.schemas import RegistrationOut, RegistrationsOut, RevealOut, RevealsOut
from shared.auth import Principal
from shared.deps import authorized

router = APIRouter(prefix="/api", tags=["staff log"])


@router.get("/registrations", response_model=RegistrationsOut)
def registrations(
    view: StaffLogView,
    principal: Annotated[Principal, authorized("registration.list_own")],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RegistrationsOut:
    """The meldingen the caller registered on a reporter's behalf (ids and dates), and
    which have a reply the adviser has not opened."""
    mine = view.registered_by(principal.sub)
    return RegistrationsOut(
        total=len(mine), unread=sum(r.reply_unread for r in mine), items=[
            RegistrationOut(melding_id=str(r.melding_id), channel=r.channel,  # type: ignore[arg-type]
                            received_how=r.received_how,  # type: ignore[arg-type]
                            received_at=r.received_at, registered_at=r.registered_at,
                            reply_unread=r.reply_unread)
            for r in mine[offset:offset + limit]])


@router.get("/identity-reveals", response_model=RevealsOut)
def identity_reveals(
    view: StaffLogView,
    _: Annotated[Principal, authorized("identity.list_reveals")],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RevealsOut:
    """Every fetch of an anonymous reporter's sealed identity: which melding, who, when."""
    reveals = view.reveals()
    return RevealsOut(total=len(reveals), items=[
        RevealOut(melding_id=str(r.melding_id), by=r.by, at=r.at)
        for r in reveals[offset:offset + limit]])
