"""Integration events: the versioned contracts between services, on NATS JetStream.

They are distinct from each service's internal domain events, carry only what a
consumer needs, and never an anonymous reporter's identity (sealed or not).
On the wire each is wrapped in an envelope (`shared/messaging/envelope.py`) naming its
source and position:

    {"type": ..., "schema_version": ..., "source": "intake", "position": 17,
     "data": {...}}

published on subject `meldingen.<source>.<type>` with message id `<source>:<position>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict

from shared.roles import Role

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


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class NamedIdentity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    email: str | None = None
    phone: str | None = None


class MeldingReceived(IntegrationEvent):
    """intake -> triage, reporting: a melding was filed and acknowledged."""

    type: ClassVar[str] = "melding_received"

    melding_id: str
    kind: Kind
    theme: Theme
    channel: Channel
    description: str
    involved: list[str]
    occurred: date | None
    anonymous: bool
    # Only for a named reporter; an anonymous reporter's identity stays sealed in intake.
    identity: NamedIdentity | None
    #: When the melding reached the organisation (for a registration on a reporter's
    #: behalf: when the staff member received it): the terms run from here.
    received_at: datetime
    acknowledged_at: datetime
    # Defaulted: events published before it was carried were all written meldingen.
    received_how: ReceivedHow = "written"
    #: As the reporter gave it; the meldpunt confirms or corrects it at assessment.
    concerns: Concerns = "unknown"
    #: The reporter's language, in which triage offers its feedback templates.
    language: Language = "nl"


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


class ReporterReplied(IntegrationEvent):
    """intake -> triage: the reporter wrote in the mailbox."""

    type: ClassVar[str] = "reporter_replied"

    melding_id: str
    body: str
    at: datetime


class IdentityConsentRecorded(IntegrationEvent):
    """intake -> triage: a named reporter said, in the mailbox, whether their identity
    may be passed on beyond the meldpunt (for example to investigators)."""

    type: ClassVar[str] = "identity_consent_recorded"

    melding_id: str
    given: bool
    at: datetime


#: Where the record (verslag) of an oral or in-person melding stands with the reporter.
RecordStatus = Literal["awaiting_reporter", "corrections_sent", "approved"]


class RecordStatusChanged(IntegrationEvent):
    """intake -> triage: the record of an oral or in-person melding has a new version
    for the reporter, or the reporter's answer to it (its status only, never its text)."""

    type: ClassVar[str] = "record_status_changed"

    melding_id: str
    status: RecordStatus
    at: datetime


class MeetingRequestChanged(IntegrationEvent):
    """intake -> triage: the reporter asked to meet (`due_by`: the request's term), or
    a meeting took place and answered it (`due_by` null)."""

    type: ClassVar[str] = "meeting_request_changed"

    melding_id: str
    due_by: datetime | None
    at: datetime


class ContactMomentRecorded(IntegrationEvent):
    """intake -> reporting: a conversation with a confidential adviser (counts only)."""

    type: ClassVar[str] = "contact_moment_recorded"

    adviser: Adviser
    theme: Theme
    date: date


class MeldingAssessed(IntegrationEvent):
    """triage -> reporting: the meldpunt's admissibility assessment, and the melding's
    parties it set (`shared.authz.MeldingParties`): for whoever tells the competent
    authority that a melding waits for them. Assessments from before routing lack them."""

    type: ClassVar[str] = "melding_assessed"

    melding_id: str
    admissible: bool
    reasonable_grounds: bool
    code_violation: bool
    severity: Severity
    theme: Theme
    advice: Outcome
    assessed_by: str
    at: datetime
    #: None while the melding waits for the meldpunt to assign one (flagged).
    competent_authority: str | None = None
    #: Concerned staff and those who recused themselves (subs).
    excluded: list[str] = []


class MeldingDecided(IntegrationEvent):
    """triage -> investigation, reporting: the competent authority's decision.

    `involved`, `assessed_by` and `decided_by` travel so that investigation can refuse
    a conflicted investigator; the melding's parties (`shared.authz.MeldingParties`)
    so that it applies the per-melding rules; the description for the investigators,
    only when a case follows. Decisions made before routing lack the last three."""

    type: ClassVar[str] = "melding_decided"

    melding_id: str
    outcome: list[Outcome]
    theme: Theme
    involved: list[str]
    assessed_by: str
    decided_by: str
    police_report_on: date | None
    at: datetime
    description: str = ""
    competent_authority: str | None = None
    #: Concerned staff and those who recused themselves (subs).
    excluded: list[str] = []


class CompetentAuthorityAssigned(IntegrationEvent):
    """triage -> investigation: the meldpunt handed a melding to another competent
    authority (after the decision, the case follows)."""

    type: ClassVar[str] = "competent_authority_assigned"

    melding_id: str
    sub: str
    at: datetime


class MeldingRecused(IntegrationEvent):
    """triage -> investigation: a staff member declared a conflict of interest (the
    reason stays in triage)."""

    type: ClassVar[str] = "melding_recused"

    melding_id: str
    sub: str
    at: datetime


class PoliceReportRecorded(IntegrationEvent):
    """triage -> reporting: a police report (aangifte) about the melding was filed, at
    any stage; its registration number stays in triage."""

    type: ClassVar[str] = "police_report_recorded"

    melding_id: str
    filed_on: date
    at: datetime


class MeldingReopened(IntegrationEvent):
    """triage -> intake, reporting: its competent authority reopened the closed
    melding (the motivation stays in triage)."""

    type: ClassVar[str] = "melding_reopened"

    melding_id: str
    at: datetime


class ReporterMessaged(IntegrationEvent):
    """triage -> intake (the mailbox), reporting: a message or the feedback to the reporter."""

    type: ClassVar[str] = "reporter_messaged"

    melding_id: str
    body: str
    #: "message" from the meldpunt; "feedback" on the follow-up (the statutory term).
    purpose: MessagePurpose
    at: datetime


class MeldingClosed(IntegrationEvent):
    """triage -> reporting, intake: the melding's handling has ended."""

    type: ClassVar[str] = "melding_closed"

    melding_id: str
    reason: ClosingReason
    at: datetime


class FinalReportIssued(IntegrationEvent):
    """investigation -> reporting: an investigation's conclusion (no report text)."""

    type: ClassVar[str] = "final_report_issued"

    melding_id: str
    conclusion: Conclusion
    at: datetime


class CaseClosed(IntegrationEvent):
    """investigation -> triage (closes the melding, sends the feedback), reporting."""

    type: ClassVar[str] = "case_closed"

    melding_id: str
    path: CasePath
    measure_kinds: list[MeasureKind]
    measure_targets: list[MeasureTarget]
    #: The competent authority's own words to the reporter; None: triage sends its
    #: closing template, in the reporter's language.
    feedback: str | None = None
    at: datetime


class StaffMemberAdded(IntegrationEvent):
    """console -> triage, investigation: a person joined the staff directory (for
    routing: who has which function, and who reports to whom)."""

    type: ClassVar[str] = "staff_member_added"

    sub: str
    name: str
    email: str
    roles: list[Role]
    function: str | None
    reports_to: str | None
    by: str
    at: datetime


class StaffRolesChanged(IntegrationEvent):
    """console -> triage, investigation: a staff member's roles now."""

    type: ClassVar[str] = "staff_roles_changed"

    sub: str
    roles: list[Role]
    by: str
    at: datetime


class StaffMemberDisabled(IntegrationEvent):
    """console -> triage, investigation: the account may no longer be used."""

    type: ClassVar[str] = "staff_member_disabled"

    sub: str
    by: str
    at: datetime


class CheckpointSigned(IntegrationEvent):
    """reporting -> the stream (and whoever audits it): every hash chain's head, signed,
    so the audit holds each store against a record kept outside its database."""

    type: ClassVar[str] = "checkpoint_signed"

    number: int
    heads: list[dict[str, Any]]
    misfits: list[dict[str, Any]]
    signed_at: str
    public_key: str
    signature: str


CONTRACTS: dict[str, type[IntegrationEvent]] = {
    cls.type: cls
    for cls in (
        MeldingReceived, ReporterReplied, IdentityConsentRecorded, ContactMomentRecorded,
        RecordStatusChanged, MeetingRequestChanged,
        MeldingAssessed, MeldingDecided, CompetentAuthorityAssigned, MeldingRecused,
        ReporterMessaged, MeldingClosed, FinalReportIssued, CaseClosed, PoliceReportRecorded,
        MeldingReopened,
        StaffMemberAdded, StaffRolesChanged, StaffMemberDisabled,
        CheckpointSigned,
    )
}
