"""Integration events triage publishes: assessment, decision, routing, a complaint of
reprisal, closing, shredding."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from shared.contracts.base import IntegrationEvent
from shared.contracts.files import SharedFile
from shared.contracts.vocabulary import (
    ClosingReason,
    MessagePurpose,
    Outcome,
    RetentionOutcome,
    Severity,
    Theme,
    opens_case,
)


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
    so that it applies the per-melding rules; the description and the reporter's files
    known then for the investigators, only when a case follows (a later file follows
    as `attachment_shared`). Decisions made before routing lack the last three."""

    type: ClassVar[str] = "melding_decided"
    keyed_fields: ClassVar[tuple[str, ...]] = ("involved", "description", "attachments")

    melding_id: str
    outcome: list[Outcome]
    theme: Theme
    assessed_by: str
    decided_by: str
    police_report_on: date | None
    at: datetime
    involved: list[str] = []
    description: str = ""
    competent_authority: str | None = None
    #: Concerned staff and those who recused themselves (subs).
    excluded: list[str] = []
    attachments: list[SharedFile] = []

    def key_recipients(self) -> tuple[str, ...]:
        # Triage seals its copy of the key onward to investigation, where a case opens.
        return ("investigation",) if opens_case(self.outcome) else ()


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


class ReprisalComplaintRecorded(IntegrationEvent):
    """triage -> reporting: a complaint of reprisal (benadeling) against a person the
    melding protects was recorded; who complained and what stays in triage."""

    type: ClassVar[str] = "reprisal_complaint_recorded"

    melding_id: str
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
    keyed_fields: ClassVar[tuple[str, ...]] = ("body",)

    melding_id: str
    #: "message" from the meldpunt; "feedback" on the follow-up (the statutory term).
    purpose: MessagePurpose
    at: datetime
    body: str = ""


class MeldingClosed(IntegrationEvent):
    """triage -> reporting, intake: the melding's handling has ended."""

    type: ClassVar[str] = "melding_closed"

    melding_id: str
    reason: ClosingReason
    at: datetime


class MeldingShredded(IntegrationEvent):
    """triage -> intake, investigation, reporting: the melding's retention term has
    passed and no legal hold kept it; every service destroys its copy of the melding's
    key (docs/privacy.md). Nothing of the content travels: the day and which term."""

    type: ClassVar[str] = "melding_shredded"

    melding_id: str
    shredded_at: datetime
    #: the outcome whose term ended (shared/retention.py)
    term: RetentionOutcome
