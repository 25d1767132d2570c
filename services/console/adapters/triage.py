"""Triage's API as the console's pages use it: the queue, a melding, the assessment,
the decision, reassignment, recusal and messages to the reporter's mailbox (see
../shared/API.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from services.console.adapters.calls import Acting, ServiceCaller, segment


class _Answer(BaseModel):
    # What the console does not show yet (fields the service adds later) it ignores.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Deadlines(_Answer):
    acknowledge_by: datetime
    feedback_by: datetime | None


class QueueItem(_Answer):
    id: str
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: str
    received_at: datetime
    deadlines: Deadlines
    overdue: bool
    reply_unread: bool = False
    #: The term of the closing feedback the meldpunt has still to write (None: none due).
    closing_feedback_due_by: datetime | None = None
    closing_feedback_overdue: bool = False
    #: The day its retention term ended and its content was destroyed.
    shredded_on: date | None = None


class QueuePage(_Answer):
    items: list[QueueItem]
    total: int
    offset: int
    limit: int


class Note(_Answer):
    body: str
    by: str
    at: datetime


class Attachment(_Answer):
    id: str
    name: str
    size: int
    content_type: str
    sha256: str
    cleaned: bool


class Notes(_Answer):
    notes: list[Note]


class HistoryEntry(_Answer):
    what: str
    who: str
    at: datetime


class Message(_Answer):
    sender: str = Field(alias="from")
    body: str
    purpose: str = "message"
    at: datetime


class Identity(_Answer):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class IdentityRead(_Answer):
    by: str
    at: datetime


class FeedbackTemplates(_Answer):
    language: str
    #: occasion (three_months, inadmissible, ...) -> a start for the meldpunt's text.
    templates: dict[str, str]


class Routing(_Answer):
    #: None while flagged for the meldpunt (`flagged` says why).
    sub: str | None = None
    rule: str | None = None
    flagged: str | None = None


class ClosingFeedback(_Answer):
    """The closing feedback due from the meldpunt: the template's start, the authority's
    or investigation's text as advice, its term, and when it was given."""

    start: str
    advice: str | None = None
    due_by: datetime
    overdue: bool = False
    given_at: datetime | None = None


class Melding(_Answer):
    id: str
    kind: str
    theme: str
    channel: str
    description: str
    involved: list[str]
    occurred: date | None
    anonymous: bool
    identity: Identity | None
    status: str
    received_at: datetime
    acknowledged_at: datetime | None
    deadlines: Deadlines
    overdue: bool
    feedback_at: datetime | None
    assessment: dict[str, Any] | None
    decision: dict[str, Any] | None
    closing: dict[str, Any] | None
    messages: list[Message]
    history: list[HistoryEntry]
    #: Present once triage routes per melding.
    competent_authority: Routing | None = None
    concerns: str = "unknown"
    concerned_staff: list[str] = []
    #: A named reporter's consent to pass their identity on (None: not answered).
    identity_consent: bool | None = None
    #: Who read a named reporter's identity when: for the meldpunt only, else None.
    identity_reads: list[IdentityRead] | None = None
    #: The record (verslag) of an oral or in-person melding: None while there is none.
    record_status: str | None = None
    #: The term of the reporter's open request to meet (None: none open).
    meeting_due_by: datetime | None = None
    #: What the melding's status allows now (triage's state machine says).
    steps: list[str] = []
    #: The legal hold that keeps it from being shredded: motivation, placed_by, placed_at.
    legal_hold: dict[str, Any] | None = None
    #: For the meldpunt: the closing feedback due once the melding closed.
    closing_feedback: ClosingFeedback | None = None


class Protection(_Answer):
    """Whom a melding protects against disadvantage, the complaints of reprisal (each
    with its `handling` or None) and the check-ins after the closing."""

    persons: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    check_ins: list[dict[str, Any]]
    check_in_due_by: datetime | None = None


class CheckInDue(_Answer):
    melding_id: str
    closed_at: datetime
    due_by: datetime
    overdue: bool


class CheckInsDue(_Answer):
    items: list[CheckInDue]


class MeldingPage(_Answer):
    """The melding and its parts from triage at once (`GET /api/meldingen/{id}/page`):
    each part as its own endpoint gives it; the templates and files None for a role
    that may not have them."""

    melding: Melding
    notes: list[Note]
    protection: Protection
    feedback_templates: FeedbackTemplates | None = None
    attachments: list[Attachment] | None = None


@dataclass(frozen=True)
class PageRead:
    """Triage's melding page as read for `acting`: a part the page asks in the same
    role is taken from it; one asked in another role (a person with several) is asked
    of triage on its own, so triage judges each part in the role it is asked in."""

    acting: Acting
    page: MeldingPage

    def for_(self, acting: Acting) -> MeldingPage | None:
        return self.page if acting == self.acting else None


class TriageClient:
    def __init__(self, caller: ServiceCaller) -> None:
        self.caller = caller

    async def queue(self, acting: Acting, filters: dict[str, str], *, offset: int,
                    limit: int) -> QueuePage:
        """The queue with triage's filters as query parameters, triage checking them."""
        return await self.caller.get(acting, "/api/meldingen", QueuePage, **filters,
                                     offset=offset, limit=limit)

    async def search(self, acting: Acting, text: str, filters: dict[str, str], *,
                     offset: int, limit: int) -> QueuePage:
        """The search, its words in the body: never in an address."""
        return await self.caller.post(acting, "/api/meldingen/search", {
            "text": text, **filters, "offset": offset, "limit": limit}, QueuePage)

    async def notes(self, acting: Acting, melding_id: str) -> Notes:
        return await self.caller.get(acting, f"/api/meldingen/{segment(melding_id)}/notes",
                                     Notes)

    async def note(self, acting: Acting, melding_id: str, body: str) -> Notes:
        return await self.caller.post(acting, f"/api/meldingen/{segment(melding_id)}/notes",
                                      {"body": body}, Notes)

    async def attachments(self, acting: Acting, melding_id: str) -> list[Attachment]:
        response = await self.caller.call(
            acting, "GET", f"/api/meldingen/{segment(melding_id)}/attachments")
        return [Attachment.model_validate(item) for item in response.json()]

    async def attachment(self, acting: Acting, melding_id: str,
                         attachment_id: str) -> httpx.Response:
        """The file as triage serves it (its download recorded there, as this person),
        streamed: read it with `aiter_bytes`, then `aclose` it."""
        return await self.caller.stream(
            acting, f"/api/meldingen/{segment(melding_id)}/attachments/"
                    f"{segment(attachment_id)}")

    async def melding_page(self, acting: Acting, melding_id: str) -> PageRead:
        """The melding with its notes, protection, templates and files, in one call."""
        return PageRead(acting, await self.caller.get(
            acting, f"/api/meldingen/{segment(melding_id)}/page", MeldingPage))

    async def melding(self, acting: Acting, melding_id: str) -> Melding:
        return await self.caller.get(acting, f"/api/meldingen/{segment(melding_id)}", Melding)

    async def assess(self, acting: Acting, melding_id: str, body: dict[str, Any]) -> Melding:
        return await self.caller.post(acting, f"/api/meldingen/{segment(melding_id)}/assessment",
                                      body, Melding)

    async def decide(self, acting: Acting, melding_id: str, body: dict[str, Any]) -> Melding:
        return await self.caller.post(acting, f"/api/meldingen/{segment(melding_id)}/decision",
                                      body, Melding)

    async def reassign(self, acting: Acting, melding_id: str, *, competent_authority: str,
                       motivation: str) -> Melding:
        return await self.caller.post(
            acting, f"/api/meldingen/{segment(melding_id)}/competent-authority",
            {"competent_authority": competent_authority, "motivation": motivation}, Melding)

    async def hold(self, acting: Acting, melding_id: str, motivation: str, *,
                   lift: bool = False) -> Melding:
        """Place the legal hold, or lift it (`lift`), with a motivation."""
        path = f"/api/meldingen/{segment(melding_id)}/legal-hold"
        return await self.caller.post(acting, f"{path}/lifting" if lift else path,
                                      {"motivation": motivation}, Melding)

    async def recuse(self, acting: Acting, melding_id: str, *, reason: str) -> None:
        await self.caller.call(acting, "POST", f"/api/meldingen/{segment(melding_id)}/recusal",
                               json={"reason": reason})

    async def message(self, acting: Acting, melding_id: str, *, body: str,
                      purpose: str) -> Melding:
        return await self.caller.post(acting, f"/api/meldingen/{segment(melding_id)}/messages",
                                      {"body": body, "purpose": purpose}, Melding)

    async def give_closing_feedback(self, acting: Acting, melding_id: str,
                                    body: str) -> Melding:
        return await self.caller.post(
            acting, f"/api/meldingen/{segment(melding_id)}/closing-feedback", {"body": body},
            Melding)

    async def feedback_templates(self, acting: Acting, melding_id: str) -> FeedbackTemplates:
        return await self.caller.get(
            acting, f"/api/meldingen/{segment(melding_id)}/feedback-templates",
            FeedbackTemplates)

    async def protection(self, acting: Acting, melding_id: str) -> Protection:
        return await self.caller.get(acting, f"/api/meldingen/{segment(melding_id)}/protection",
                                     Protection)

    async def protect(self, acting: Acting, melding_id: str, part: str,
                      body: dict[str, Any]) -> Protection:
        """One of protection's steps (`part`: its path under the melding), as posted."""
        return await self.caller.post(acting, f"/api/meldingen/{segment(melding_id)}/{part}",
                                      body, Protection)

    async def check_ins_due(self, acting: Acting) -> CheckInsDue:
        return await self.caller.get(acting, "/api/protection-check-ins", CheckInsDue)
