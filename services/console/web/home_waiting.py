"""What waits for the signed-in person, on the home page: how many of the meldingen
they may see have an unread reply from the reporter, how many a term passed and how
many wait for the meldpunt's closing feedback (the queue's own filters, so the count is
what the queue shows; the first closing feedbacks named with their term), the
protection check-ins due after a closing, and the cases whose response term lapsed
that they were told of and that still wait for it to be recorded. Each part is asked
in a role that may see it; a service that cannot be reached is said so, and the rest
is still shown."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from services.console.adapters.calls import Refusal
from services.console.api.deps import parts
from services.console.notifications.domain.mails import short_reference
from services.console.web.access import SignedIn
from services.console.web.pages import services

#: How many of the closing feedbacks due the home page names (in the queue's order).
CLOSING = 10


async def waiting_for(request: Request, person: SignedIn) -> dict[str, Any]:
    triage, failed = services(request).triage, False
    counts: dict[str, int] | None = None
    if (acting := person.acting("melding.list")) is not None:
        try:
            counts = {name: (await triage.queue(acting, {name: "true"}, offset=0,
                                                limit=1)).total
                      for name in ("reply_unread", "overdue")}
        except Refusal:
            failed = True
    closing: list[tuple[str, str, Any, bool]] = []
    if (acting := person.acting("melding.give_closing_feedback")) is not None:
        try:
            page = await triage.queue(acting, {"closing_feedback_due": "true"}, offset=0,
                                      limit=CLOSING)
            closing = [(item.id, short_reference(item.id), item.closing_feedback_due_by,
                        item.closing_feedback_overdue) for item in page.items]
            if counts is not None:
                counts["closing_feedback_due"] = page.total
        except Refusal:
            failed = True
    check_ins: list[tuple[str, str, Any, bool]] = []
    if (acting := person.acting("melding.protect")) is not None:
        try:
            check_ins = [(due.melding_id, short_reference(due.melding_id), due.due_by,
                          due.overdue) for due in (await triage.check_ins_due(acting)).items]
        except Refusal:
            failed = True
    adviser_unread: int | None = None
    if (acting := person.acting("mailbox.adviser")) is not None:
        try:
            adviser_unread = (await services(request).intake.registrations(acting, 0, 1)).unread
        except Refusal:
            failed = True
    return {"counts": counts, "check_ins": check_ins, "closing": closing,
            "adviser_unread": adviser_unread, "lapsed": await _lapsed(request, person),
            "unavailable": failed}


async def _lapsed(request: Request, person: SignedIn) -> list[tuple[str, str]]:
    acting = person.acting("case.read")
    if acting is None:
        return []
    still = []
    for melding_id in parts(request).notifier.board.lapses_for(person.member.sub):
        try:
            case = await services(request).investigation.case(acting, melding_id)
        except Refusal:
            continue  # no longer theirs, or gone: nothing to remind of
        if "record_response_lapse" in case.steps:
            still.append((melding_id, short_reference(melding_id)))
    return still
