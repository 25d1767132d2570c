"""The words integration events are written in: kinds, themes, channels, outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, get_args

Kind = Literal["integrity_violation", "wrongdoing", "eu_law_breach", "undesirable_behaviour"]
Theme = Literal[
    "interests", "conduct", "gifts", "resources", "information", "private_conduct",
    "subversion", "other",
]
Channel = Literal[
    "web", "manager", "confidential_adviser_integrity", "confidential_adviser_conduct",
    "meldpunt",
]
#: The languages intake speaks to a reporter in.
Language = Literal["nl", "en"]
#: How staff received a melding they register: `oral` is a phone call or voice message.
ReceivedHow = Literal["written", "oral", "in_person"]

#: The position of the person a melding concerns, in the directory's terms: routing
#: picks the melding's competent authority from it (services/triage/domain/routing.py).
Concerns = Literal[
    "employee", "manager", "director", "secretary", "board_member", "mayor",
    "council_member", "confidential_adviser", "meldpunt", "unknown",
]

Outcome = Literal["no_action", "conversation", "investigation", "police_report", "referral"]
CasePath = Literal["conversation", "investigation"]
#: The outcomes of a decision that open a case in investigation (the case's path).
CASE_OUTCOMES: Final[frozenset[str]] = frozenset(get_args(CasePath))
#: Where a referral sends the melding: the Huis voor Klokkenluiders, the LKOG
#: (Landelijke Klachtencommissie Ongewenst Gedrag voor Decentrale Overheden), the
#: Meldpunt Ondermijning, the CISO (a data breach), or another body (named in the
#: decision's motivation).
ReferralTarget = Literal["huis_voor_klokkenluiders", "lkog", "meldpunt_ondermijning", "ciso",
                         "other"]
Conclusion = Literal["founded", "partly_founded", "unfounded", "not_established"]
MeasureKind = Literal[
    "none", "written_reprimand", "suspension", "dismissal", "summary_dismissal",
    "process_change", "training", "other",
]
MeasureTarget = Literal["person", "process"]
#: Interim measures during an investigation: schorsing, non-actiefstelling, other duties.
InterimMeasureKind = Literal["suspension", "non_active", "change_of_duties"]
#: Whom a melding marks as a person to protect against disadvantage (benadeling).
ProtectedRole = Literal["reporter", "helper", "witness"]
#: How a complaint of reprisal was handled.
ReprisalOutcome = Literal["measures_taken", "unfounded", "withdrawn", "referred"]
Severity = Literal["low", "medium", "high"]
Adviser = Literal["integrity", "conduct"]
MessagePurpose = Literal["message", "feedback"]
#: Where a melding stands in triage (its queue's status filter).
MeldingStatus = Literal["received", "assessed", "decided", "closed"]
#: The queue's orders: oldest received first, or the nearest unmet deadline first.
QueueSort = Literal["received", "deadline"]
# "police_report": a decision for a police report only, with no case to follow.
ClosingReason = Literal["inadmissible", "no_action", "referral", "police_report", "case_closed"]
#: What a feedback template of triage's is for: the 3-month feedback on the follow-up, or
#: the closing feedback of a melding triage closes itself or that a closed case ends.
FeedbackOccasion = Literal["three_months", "inadmissible", "no_action", "referral",
                           "police_report", "case_closed", "case_closed_with_measures"]
#: How a closed melding ended, for its retention term (shared/retention.py).
RetentionOutcome = Literal["inadmissible", "no_follow_up", "conversation", "referred",
                           "investigation_without_measures", "investigation_with_measures"]
RETENTION_OUTCOMES: Final[tuple[RetentionOutcome, ...]] = get_args(RetentionOutcome)


def opens_case(outcome: Iterable[str]) -> bool:
    """A decision for a conversation or an investigation continues in investigation."""
    return not CASE_OUTCOMES.isdisjoint(outcome)

#: Where the record (verslag) of an oral or in-person melding stands with the reporter.
RecordStatus = Literal["awaiting_reporter", "corrections_sent", "approved"]
