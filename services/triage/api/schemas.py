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

from services.triage.domain.report import Status
from shared.contracts import MessagePurpose, NamedIdentity, Outcome, Severity, Theme

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


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


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Annotated[list[Outcome], Field(min_length=1, max_length=5),
                       AfterValidator(_unique)]
    motivation: Text
    police_report_on: date | None = Field(
        None, description="the date of the police report (today by default)")
    feedback: Text | None = Field(
        None, description="what the reporter is told when the decision closes the melding")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text
    purpose: MessagePurpose = Field(
        "message", description="'feedback' counts as the statutory feedback on the follow-up")


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


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int
    offset: int
    limit: int


class HistoryEntry(BaseModel):
    what: str
    who: str
    at: datetime


class MessageOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(serialization_alias="from")
    body: str
    purpose: str
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
        description="a named reporter's identity, for the meldpunt only")
    status: Status
    received_at: datetime
    acknowledged_at: datetime | None
    deadlines: DeadlinesOut
    overdue: bool
    feedback_at: datetime | None
    assessment: dict[str, Any] | None
    decision: dict[str, Any] | None
    closing: dict[str, Any] | None
    messages: list[MessageOut]
    history: list[HistoryEntry]
    steps: list[str] = Field(
        default_factory=list,
        description="the commands the melding's current status allows (assess, decide, "
                    "message_reporter, ...)")
