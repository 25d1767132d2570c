"""The melding's procedure in triage: which step is allowed in which status (the
table `Report` checks before each command), which outcomes a decision may name
together and which of them end the melding, and what a police report must be."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from shared.contracts import ClosingReason, MeldingStatus, opens_case
from shared.errors import Conflict, InvalidInput, InvalidTransition
from shared.terms import local_date

Status = MeldingStatus

#: command -> {status it is allowed in: status it leads to}
TRANSITIONS: Final[dict[str, dict[str, Status]]] = {
    # a re-assessment before the decision replaces the current one; history keeps both
    "assess": {"received": "assessed", "assessed": "assessed"},
    "decide": {"assessed": "decided"},
    "message_reporter": {s: s for s in ("received", "assessed", "decided")},
    "record_reply": {s: s for s in ("received", "assessed", "decided", "closed")},
    "close": {"assessed": "closed", "decided": "closed"},
    # the meldpunt writes the closing feedback once the melding is closed
    "give_closing_feedback": {"closed": "closed"},
    # the meldpunt hands the melding to another competent authority, until it is closed
    "reassign": {"assessed": "assessed", "decided": "decided"},
    # anyone may declare a conflict of interest on a melding, at any time
    "recuse": {s: s for s in ("received", "assessed", "decided", "closed")},
    # a police report (aangifte) may be filed at any stage, also after the closing
    "record_police_report": {s: s for s in ("received", "assessed", "decided", "closed")},
    # its competent authority reopens a closed melding (new facts): decided anew
    "reopen": {"closed": "assessed"},
    # protection against disadvantage (`../protection/`): persons to protect are marked
    # while the melding is handled; a complaint of reprisal may come, and be handled, at
    # any stage; the check-in after the closing belongs to a closed melding
    "protect_person": {s: s for s in ("received", "assessed", "decided")},
    "record_reprisal_complaint": {s: s for s in ("received", "assessed", "decided", "closed")},
    "handle_reprisal_complaint": {s: s for s in ("received", "assessed", "decided", "closed")},
    "record_protection_check_in": {"closed": "closed"},
}


def check_step(command: str, status: Status) -> None:
    """InvalidTransition (409, naming the status) unless the table allows `command` now."""
    if status not in TRANSITIONS[command]:
        raise InvalidTransition(
            f"'{command}' is not possible while the melding is {status}.", state=status)


def closing_reason(outcome: list[str], admissible: bool = True) -> ClosingReason | None:
    """Why a decision ends the melding at once, or None when a case follows. A
    competent authority that follows an inadmissible advice with 'no_action' closes
    it as inadmissible."""
    if opens_case(outcome):
        return None
    if not admissible and outcome == ["no_action"]:
        return "inadmissible"
    if "referral" in outcome:
        return "referral"
    if "no_action" in outcome:
        return "no_action"
    return "police_report"


def check_decision(outcome: list[str], police_report_on: date | None,
                   referral_to: str | None, police_report_motivation: str | None, *,
                   official_crime: bool, had_case: bool) -> None:
    """A decision's fields, on a melding whose assessment named a possible official
    crime or not, and which had a case before a reopening or not."""
    if not outcome:
        raise InvalidInput("A decision names at least one outcome.", field="outcome")
    if "no_action" in outcome and len(outcome) > 1:
        raise InvalidInput("'no_action' cannot be combined with another outcome.",
                           field="outcome")
    if police_report_on is not None and "police_report" not in outcome:
        raise InvalidInput("A police report date belongs to a 'police_report' outcome.",
                           field="police_report_on")
    if ("referral" in outcome) != (referral_to is not None):
        raise InvalidInput("A 'referral' outcome names where it goes, and only it does.",
                           field="referral_to")
    if official_crime and not (police_report_motivation or "").strip():
        raise InvalidInput("The assessment names a possible official crime: say, "
                           "motivated, whether a police report is made.",
                           field="police_report_motivation")
    if had_case and opens_case(outcome):
        raise Conflict("This melding's case was closed: investigation cannot open a "
                       "second one.", field="outcome")


def check_police_report(filed_on: date, registration_number: str, at: datetime,
                        recorded: list[dict[str, Any]]) -> None:
    if filed_on > local_date(at):
        raise InvalidInput("A police report cannot be filed in the future.",
                           field="filed_on")
    if any(p["registration_number"] == registration_number for p in recorded):
        raise Conflict("This police report is already recorded.",
                       field="registration_number")
