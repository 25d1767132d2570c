"""Triage's route for a staff member's melding page: the melding and its parts in one
answer, each part as its own endpoint gives it (`services.triage.api.melding_page`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.triage.api.deps import Triage
from services.triage.api.melding_page import melding_page
from services.triage.api.notes_routes import NoteOut
from services.triage.api.protection_routes import FollowUpView, ProtectionOut, protection_out
from services.triage.api.routes import melding_out
from services.triage.api.schemas import FeedbackTemplatesOut, MeldingOut
from shared.auth import Principal
from shared.deps import authorized
from shared.files.schemas import AttachmentOut

router = APIRouter(prefix="/api", tags=["meldingen"])


class MeldingPageOut(BaseModel):
    melding: MeldingOut = Field(description="as `GET /api/meldingen/{id}`")
    notes: list[NoteOut] = Field(description="as `GET .../notes`, oldest first")
    protection: ProtectionOut = Field(description="as `GET .../protection`")
    feedback_templates: FeedbackTemplatesOut | None = Field(
        description="as `GET .../feedback-templates`; null for a role that may not "
                    "write to the reporter")
    attachments: list[AttachmentOut] | None = Field(
        description="as `GET .../attachments`; null for a role that may not see them")


@router.get("/meldingen/{melding_id}/page", response_model=MeldingPageOut)
def read_page(
    melding_id: UUID,
    triage: Triage,
    follow_up: FollowUpView,
    principal: Annotated[Principal, authorized("melding.read")],
) -> MeldingPageOut:
    """The melding with its notes, protection, feedback templates and files, read at
    once: what the console's melding page asks of triage, in one call."""
    page = melding_page(triage, melding_id, principal)
    templates = (FeedbackTemplatesOut(language=page.templates[0], templates=page.templates[1])
                 if page.templates else None)
    return MeldingPageOut(
        melding=melding_out(page.report, principal, triage, page.identity),
        notes=[NoteOut(**n) for n in page.notes],
        protection=protection_out(page.protection, follow_up),
        feedback_templates=templates,
        attachments=(None if page.files is None
                     else [AttachmentOut.model_validate(f) for f in page.files]))
