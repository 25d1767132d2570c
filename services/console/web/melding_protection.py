"""The melding page's protection part, posted (what it shows: `protection_part.py`):
marking a person to protect, a complaint of reprisal, its handling and a check-in after
the closing. Each post goes to triage as the signed-in person; what triage refuses is
shown on the melding page with the field it named."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.calls import Acting, segment
from services.console.adapters.services import Services
from services.console.web.forms import Form, Send, submit
from services.console.web.melding import shown_again
from services.console.web.rendering import first

router = APIRouter(include_in_schema=False)


def _body(posted: dict[str, list[str]], names: dict[str, str]) -> dict[str, Any]:
    """Triage's fields from the form's, as typed (triage judges them); one left empty is
    left out, so that triage names it as missing."""
    body: dict[str, Any] = {}
    for theirs, ours in names.items():
        if value := first(posted, ours).strip():
            # The radio group's values; anything else goes as typed, to be refused.
            body[theirs] = ({"true": True, "false": False}.get(value, value)
                            if theirs == "disadvantage" else value)
    return body


def _sender(path: str, names: dict[str, str]) -> Send:
    async def send(services: Services, acting: Acting, melding_id: str,
                   posted: dict[str, list[str]]) -> object:
        return await services.triage.protect(acting, melding_id, path, _body(posted, names))
    return send


async def _handle(services: Services, acting: Acting, melding_id: str,
                  posted: dict[str, list[str]]) -> object:
    complaint = segment(first(posted, "complaint_id").strip() or "-")
    return await services.triage.protect(
        acting, melding_id, f"reprisal-complaints/{complaint}/handling",
        _body(posted, HANDLING))


PERSON = {"name": "protected_name", "role": "protected_role", "note": "protected_note"}
COMPLAINT = {"person_id": "person_id", "description": "complaint_description",
             "received_on": "complaint_received_on"}
HANDLING = {"outcome": "handling_outcome", "motivation": "handling_motivation",
            "measures": "handling_measures"}
CHECK_IN = {"disadvantage": "disadvantage", "notes": "check_in_notes"}

#: Each form's path under `/meldingen/{id}/protection/`, its action and its fields.
FORMS = {
    "persons": Form("melding.protect", PERSON, _sender("protected-persons", PERSON),
                    done="protected_person"),
    "complaints": Form("melding.protect", COMPLAINT,
                       _sender("reprisal-complaints", COMPLAINT), done="complaint"),
    "handling": Form("melding.handle_reprisal_complaint",
                     {**HANDLING, "complaint_id": "complaint_id"}, _handle, done="handling"),
    "check-ins": Form("melding.protect", CHECK_IN, _sender("protection-check-ins", CHECK_IN),
                      done="check_in"),
}


@router.post("/meldingen/{melding_id}/protection/{part}", response_class=HTMLResponse)
async def protection_step(request: Request, melding_id: str, part: str) -> Response:
    if part not in FORMS:
        return Response(status_code=404)
    form = FORMS[part]
    return await submit(request, melding_id, part, form, shown_again(request, melding_id),
                        f"/meldingen/{melding_id}?done={form.done}#protection")
