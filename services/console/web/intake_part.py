"""What the pages show of intake's part of a melding, asked as the signed-in person:
the record (verslag) of an oral or in-person melding with its versions and the
reporter's answers, and triage's feedback templates for the meldpunt's own text. A
part the person may not see is left out (the service's 404 is the answer to that);
a service that cannot be reached is said so beside the part."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from services.console.adapters.calls import Refusal
from services.console.adapters.intake import Record
from services.console.adapters.triage import FeedbackTemplates, PageRead
from services.console.web.access import SignedIn
from services.console.web.pages import services
from shared.authz import MeldingParties

#: The template the feedback form starts from when none is chosen.
FIRST_TEMPLATE = "three_months"


@dataclass(frozen=True)
class RecordPart:
    """The record as intake shows it to this person, if it is theirs to write."""

    record: Record | None
    #: Intake refused for another reason than "not yours" (503: not reachable).
    failed: Refusal | None = None


async def record_part(request: Request, person: SignedIn, melding_id: str) -> RecordPart | None:
    acting = person.acting("record.write")
    if acting is None:
        return None
    try:
        return RecordPart(await services(request).intake.record(acting, melding_id))
    except Refusal as refusal:
        # 404: a melding this staff member did not receive, and not theirs to handle.
        return None if refusal.status == 404 else RecordPart(None, refusal)


async def feedback_templates(request: Request, person: SignedIn, read: PageRead,
                             parties: MeldingParties) -> FeedbackTemplates | None:
    """Triage's templates in the reporter's language, where the person may write to
    the reporter now."""
    melding = read.page.melding
    acting = person.acting("melding.message_reporter", parties)
    if acting is None or "message_reporter" not in melding.steps:
        return None
    if (page := read.for_(acting)) is not None:
        return page.feedback_templates
    try:
        return await services(request).triage.feedback_templates(acting, melding.id)
    except Refusal:
        return None  # the reply box below still works without a start


async def melding_context(request: Request, person: SignedIn, read: PageRead,
                          parties: MeldingParties) -> dict[str, Any]:
    """The melding page's intake part (`melding_intake.html`)."""
    # Two services, asked at once.
    templates, record = await asyncio.gather(
        feedback_templates(request, person, read, parties),
        record_part(request, person, read.page.melding.id))
    chosen = request.query_params.get("template", FIRST_TEMPLATE)
    return {"intake": record,
            "may_meet": person.acting("meeting.record") is not None,
            "templates": templates,
            "feedback_start": (chosen if templates and chosen in templates.templates
                         else FIRST_TEMPLATE)}
