"""Triage's routes for the internal notes on a melding (staff only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.triage.api.deps import Triage
from services.triage.api.schemas import Text
from services.triage.desk.application import notes, write_note
from shared.auth import Principal
from shared.deps import authorized

router = APIRouter(prefix="/api", tags=["meldingen"])


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text = Field(description="the note; never shown to the reporter")


class NoteOut(BaseModel):
    body: str
    by: str = Field(description="the login name of who wrote it")
    at: datetime


class NotesOut(BaseModel):
    notes: list[NoteOut] = Field(description="oldest first")


@router.get("/meldingen/{melding_id}/notes", response_model=NotesOut)
def read_notes(
    melding_id: UUID,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.read")],
) -> NotesOut:
    """The staff's internal notes on the melding, for whoever may see it."""
    return _out(notes(triage, melding_id, principal))


@router.post("/meldingen/{melding_id}/notes", status_code=201, response_model=NotesOut)
def add_note(
    melding_id: UUID,
    body: NoteIn,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.write_note")],
) -> NotesOut:
    """An internal note by the meldpunt or the melding's competent authority; it stays
    in triage (no event carries it), and the reporter never sees it."""
    return _out(write_note(triage, melding_id, body.body, principal))


def _out(stored: list[dict[str, Any]]) -> NotesOut:
    return NotesOut(notes=[NoteOut(**n) for n in stored])
