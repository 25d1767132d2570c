"""Which outcomes a decision may name together, and which of them end the melding."""

from __future__ import annotations

from datetime import date

from shared.contracts import ClosingReason, opens_case
from shared.errors import InvalidInput


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


def check_outcome(outcome: list[str], police_report_on: date | None,
                  referral_to: str | None) -> None:
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
