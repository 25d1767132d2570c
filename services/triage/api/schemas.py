"""The request and response bodies of triage's API (see ../shared/API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from services.triage.domain.procedure import Status
from shared.contracts import (
    Concerns,
    FeedbackOccasion,
    Language,
    MessagePurpose,
    NamedIdentity,
    Outcome,
    RecordStatus,
    ReferralTarget,
    Severity,
    Theme,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Sub = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Only JSON's true and false, as at intake: "no" is not a verdict.
    admissible: StrictBool
    reasonable_grounds: StrictBool
    code_violation: StrictBool
    severity: Severity
    theme: Theme
    advice: Outcome
    motivation: Text
    feedback: Text | None = Field(
        None, description="what an inadmissible melding's reporter is told (a general "
                          "text by default)")
    official_crime: StrictBool = Field(
        False, description="the melding may concern an official crime (art. 162 Sv): the "
                           "decision must then give `police_report_motivation`")
    concerns: Concerns | None = Field(
        None, description="the position of the person concerned; routing picks the "
                          "competent authority from it (unset: as the reporter gave it)")
    concerned_staff: Annotated[list[Sub], Field(max_length=20)] = Field(
        [], description="the login names of the staff members concerned (from the "
                        "directory; 422 for an unknown one): they do not see the melding, "
                        "and none of them becomes its competent authority")


class ReassignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competent_authority: Sub = Field(description="the login name of the new competent "
                                                 "authority (role competent_authority)")
    motivation: Text = Field(description="why; recorded in the history")


class ReopeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    motivation: Text = Field(description="why the closed melding is reopened (new facts, "
                                         "say); recorded in the history")


class RecusalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(description="the conflict of interest; kept with the melding")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Annotated[list[Outcome], Field(min_length=1, max_length=5),
                       AfterValidator(_unique)]
    motivation: Text
    police_report_on: date | None = Field(
        None, description="the date of the police report (today by default)")
    referral_to: ReferralTarget | None = Field(
        None, description="where a 'referral' goes (required with it, refused without): "
                          "huis_voor_klokkenluiders, lkog, meldpunt_ondermijning, ciso (a "
                          "data breach) or other")
    police_report_motivation: Text | None = Field(
        None, description="whether a police report is made and why; required when the "
                          "assessment names a possible official crime")
    feedback: Text | None = Field(
        None, description="what the reporter is told when the decision closes the melding")


class PoliceReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filed_on: date = Field(description="the day the police report (aangifte) was filed")
    registration_number: Annotated[str, StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64)] = Field(
        description="the police's registration number of the report")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text
    purpose: MessagePurpose = Field(
        "message", description="'feedback' counts as the statutory feedback on the follow-up")


class ClosingFeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text = Field(description="the closing feedback in the meldpunt's own words, in "
                                   "the reporter's language; a template's gap […] refused")


class ClosingFeedbackOut(BaseModel):
    start: str = Field(description="the closing template in the reporter's language")
    advice: str | None = Field(description="what the competent authority or investigation "
                                           "wrote for the reporter: advice, not sent as it is")
    due_by: datetime
    overdue: bool
    given_at: datetime | None


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    motivation: Text = Field(description="why the melding must be kept (a court case, a "
                                         "complaint), or why no longer; at least 10 "
                                         "characters, recorded in the history")


class HoldOut(BaseModel):
    motivation: str
    placed_by: str = Field(description="the login name of the meldpunt officer")
    placed_at: datetime


class ShreddedOut(BaseModel):
    melding_id: str
    term: str = Field(description="the outcome whose retention term ended")
    shredded_on: date


class RetentionRunOut(BaseModel):
    shredded: list[ShreddedOut] = Field(description="what this run shredded, oldest "
                                                    "closing first")


class DeadlinesOut(BaseModel):
    acknowledge_by: datetime
    feedback_by: datetime | None


class QueueItem(BaseModel):
    id: str
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: str
    received_at: datetime
    deadlines: DeadlinesOut
    overdue: bool
    competent_authority: str | None = Field(description="the melding's competent authority")
    flagged: bool = Field(description="waits for the meldpunt to assign a competent "
                                      "authority by hand")
    record_status: RecordStatus | None = Field(
        None, description="the record (verslag) of an oral or in-person melding with the "
                          "reporter: awaiting_reporter, corrections_sent or approved "
                          "(null: no record)")
    meeting_due_by: datetime | None = Field(
        None, description="the term of the reporter's open request to meet (null: none "
                          "open; a recorded meeting clears it)")
    meeting_overdue: bool = Field(False, description="the open request to meet is past "
                                                     "its term")
    severity: Severity | None = Field(None, description="the assessment's severity (null "
                                                        "before the assessment)")
    reply_unread: bool = Field(False, description="a reporter's reply the meldpunt has not "
                                                  "opened the melding since")
    closing_feedback_due_by: datetime | None = Field(
        None, description="the term of the closing feedback the meldpunt has still to "
                          "write (null: none due)")
    closing_feedback_overdue: bool = Field(False, description="that closing feedback is "
                                                              "past its term")
    shredded_on: date | None = Field(None, description="the day its retention term ended "
                                                       "and its content was destroyed")


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int
    offset: int
    limit: int
    #: the `cursor` of the next page; None on the last
    next_cursor: str | None = None


class HistoryEntry(BaseModel):
    what: str
    who: str
    at: datetime
    motivation: str | None = Field(None, description="a reassignment's, a reopening's or a "
                                                     "legal hold's motivation")


class CompetentAuthorityOut(BaseModel):
    sub: str | None = Field(description="who acts as the competent authority; null while "
                                        "flagged for the meldpunt")
    rule: str = Field(description="the routing rule that chose them (concerns: target)")
    source: str = Field(description="where the rule comes from")
    flagged: str | None = Field(description="why the meldpunt must assign one by hand")


class MessageOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(serialization_alias="from")
    body: str
    purpose: str
    at: datetime


class FeedbackTemplatesOut(BaseModel):
    language: Language = Field(description="the reporter's language, the templates' too")
    templates: dict[FeedbackOccasion, str] = Field(
        description="a start for the meldpunt's own text: `three_months` (the 3-month "
                    "feedback, with a gap […] to fill: feedback that still holds it is "
                    "refused) and the closing feedback per closing reason")


class IdentityReadOut(BaseModel):
    by: str = Field(description="the login name of the staff member who read it")
    at: datetime


class MeldingOut(BaseModel):
    id: str
    kind: str
    theme: str
    channel: str
    description: str
    involved: list[str]
    occurred: date | None
    anonymous: bool
    identity: NamedIdentity | None = Field(
        description="a named reporter's identity: for the meldpunt, and with the "
                    "reporter's consent for the melding's competent authority; only in "
                    "the answer to GET, and every such read is recorded")
    identity_consent: bool | None = Field(
        None, description="whether the named reporter consents to passing their identity "
                          "on beyond the meldpunt (null: not answered, which counts as no)")
    identity_reads: list[IdentityReadOut] | None = Field(
        None, description="every time staff read the named reporter's identity (who, "
                          "when), for the meldpunt only")
    status: Status
    received_at: datetime
    acknowledged_at: datetime | None
    deadlines: DeadlinesOut
    overdue: bool
    feedback_at: datetime | None
    assessment: dict[str, Any] | None
    decision: dict[str, Any] | None
    closing: dict[str, Any] | None
    closing_feedback: ClosingFeedbackOut | None = Field(
        None, description="the closing feedback due from the meldpunt, for the meldpunt "
                          "(null: not closed, a closing from before it, or another role)")
    earlier_assessments: list[dict[str, Any]] = Field(
        default_factory=list, description="assessments a re-assessment replaced, oldest "
                                          "first")
    earlier_decisions: list[dict[str, Any]] = Field(
        default_factory=list, description="decisions taken before a reopening, oldest first")
    police_reports: list[dict[str, Any]] = Field(
        default_factory=list, description="police reports filed about the melding "
                                          "(`filed_on`, `registration_number`)")
    reopened_at: datetime | None = Field(
        None, description="when its competent authority last reopened the melding; the "
                          "feedback term runs from then")
    concerns: str = Field(description="the position of the person concerned (as in the "
                                      "assessment's `concerns`)")
    concerned_staff: list[str] = Field(description="the staff members concerned")
    competent_authority: CompetentAuthorityOut | None = Field(
        description="chosen at the assessment by the routing table, or by the meldpunt")
    messages: list[MessageOut]
    history: list[HistoryEntry]
    record_status: RecordStatus | None = Field(
        None, description="the record (verslag) of an oral or in-person melding with the "
                          "reporter: awaiting_reporter, corrections_sent or approved "
                          "(null: no record)")
    meeting_due_by: datetime | None = Field(
        None, description="the term of the reporter's open request to meet (null: none "
                          "open; a recorded meeting clears it)")
    steps: list[str] = Field(
        default_factory=list,
        description="the commands the melding's current status allows (assess, decide, "
                    "message_reporter, ...)")
    legal_hold: HoldOut | None = Field(None, description="the legal hold that keeps it "
                                                         "from being shredded (null: none)")
