"""Intake's API as the console's pages use it: a melding registered on a reporter's
behalf (its receipt, shown once), a confidential adviser's contact moments and their
conversation with the reporter, the record (verslag) of an oral or in-person melding,
and the reporters' requests to meet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.console.adapters.calls import Acting, ServiceCaller, segment


class Filed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    receipt: str
    acknowledged_at: datetime


class Recorded(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str


class _Answer(BaseModel):
    # What the console does not show yet (fields the service adds later) it ignores.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class RecordVersion(_Answer):
    version: int
    text: str
    at: datetime


class RecordAnswer(_Answer):
    """The reporter's answer to one version: approved, or what to correct."""

    version: int
    approved: bool
    corrections: str | None = None
    at: datetime


class Record(_Answer):
    #: None until a first version; then awaiting_reporter, corrections_sent or approved.
    status: str | None
    versions: list[RecordVersion]
    responses: list[RecordAnswer]


class RecordWritten(_Answer):
    version: int


class WaitingMeeting(_Answer):
    melding_id: str
    via: str
    requested_at: datetime
    due_by: datetime
    overdue: bool


class MeetingRequests(_Answer):
    items: list[WaitingMeeting]


class Registration(_Answer):
    melding_id: str
    channel: str
    received_how: str
    received_at: datetime
    registered_at: datetime
    reply_unread: bool = False


class Registrations(_Answer):
    items: list[Registration]
    total: int
    unread: int = 0


class Reveal(_Answer):
    melding_id: str
    by: str
    at: datetime


class Reveals(_Answer):
    items: list[Reveal]
    total: int


class AdviserMessage(_Answer):
    sender: str = Field(alias="from")
    body: str
    at: datetime
    purpose: str = "message"


class AdviserMailbox(_Answer):
    messages: list[AdviserMessage]


class Written(_Answer):
    at: datetime


class IntakeClient:
    def __init__(self, caller: ServiceCaller) -> None:
        self.caller = caller

    async def register(self, acting: Acting, body: dict[str, Any]) -> Filed:
        return await self.caller.post(acting, "/api/meldingen", body, Filed)

    async def contact_moment(self, acting: Acting, body: dict[str, Any]) -> Recorded:
        return await self.caller.post(acting, "/api/contact-moments", body, Recorded)

    async def record(self, acting: Acting, melding_id: str) -> Record:
        return await self.caller.get(acting, f"/api/meldingen/{segment(melding_id)}/record",
                                     Record)

    async def write_record(self, acting: Acting, melding_id: str, text: str) -> RecordWritten:
        return await self.caller.post(acting, f"/api/meldingen/{segment(melding_id)}/record",
                                      {"text": text}, RecordWritten)

    async def meeting_requests(self, acting: Acting) -> MeetingRequests:
        return await self.caller.get(acting, "/api/meeting-requests", MeetingRequests)

    async def record_meeting(self, acting: Acting, melding_id: str, held_at: str) -> None:
        await self.caller.call(acting, "POST", f"/api/meldingen/{segment(melding_id)}/meetings",
                               json={"held_at": held_at})

    async def registrations(self, acting: Acting, offset: int, limit: int) -> Registrations:
        return await self.caller.get(acting, "/api/registrations", Registrations,
                                     offset=offset, limit=limit)

    async def reveals(self, acting: Acting, offset: int, limit: int) -> Reveals:
        return await self.caller.get(acting, "/api/identity-reveals", Reveals,
                                     offset=offset, limit=limit)

    async def adviser_messages(self, acting: Acting, melding_id: str) -> AdviserMailbox:
        return await self.caller.get(
            acting, f"/api/meldingen/{segment(melding_id)}/adviser-messages", AdviserMailbox)

    async def adviser_writes(self, acting: Acting, melding_id: str, body: str) -> Written:
        return await self.caller.post(
            acting, f"/api/meldingen/{segment(melding_id)}/adviser-messages", {"body": body},
            Written)
