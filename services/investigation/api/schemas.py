"""The request and response bodies of investigation's API (see ../shared/API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts import CasePath, Conclusion, InterimMeasureKind, MeasureKind, MeasureTarget

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sha256 = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9a-fA-F]{64}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvestigatorsIn(_In):
    investigators: Annotated[list[Short], Field(min_length=1, max_length=20)]


class ConversationIn(_In):
    minutes: Text


class TextIn(_In):
    text: Text


class InterviewIn(_In):
    interviewee: Short
    minutes: Text


class EvidenceIn(_In):
    description: Text
    sha256: Sha256 = Field(description="SHA-256 (hex) of the file, which is kept outside")


class FinalReportIn(_In):
    text: Text
    conclusion: Conclusion


class MeasureIn(_In):
    target: MeasureTarget
    kind: MeasureKind
    description: Text


class MeasuresIn(_In):
    measures: Annotated[list[MeasureIn], Field(min_length=1, max_length=50)]
    interim_ending: Annotated[list[Short], Field(max_length=50)] = Field(
        default_factory=list, description="the interim measures (their `measure_id`) "
                                          "these measures end")
    interim_kept: Annotated[list[Short], Field(max_length=50)] = Field(
        default_factory=list, description="the interim measures these measures keep in "
                                          "force; each one in force is named here or in "
                                          "`interim_ending`")
    feedback: Text | None = Field(
        None, description="the final feedback to the reporter; without it triage sends a "
                    "general text in the reporter's language")


class MotivationIn(_In):
    motivation: Text


class InterimMeasureIn(_In):
    kind: InterimMeasureKind
    motivation: Text


class InformedIn(_In):
    informed_on: date
    informed_by: Short | None = Field(None, description="who informed them; the one "
                                                        "recording it when left out")


class PostponementIn(_In):
    reason: Text = Field(description="why informing them now would harm the investigation")
    until: date


class HearingIn(_In):
    held_on: date
    minutes: Text


class FileRequestIn(_In):
    requested_on: date


class FileAnswerIn(_In):
    granted: bool
    answer: Text


class OutcomeToldIn(_In):
    told_on: date


class InterviewCreated(BaseModel):
    interview_id: str


class HistoryEntry(BaseModel):
    what: str
    who: str
    at: datetime


class CaseSummaryOut(BaseModel):
    id: str
    path: str
    theme: str
    status: str
    opened_at: datetime
    investigators: list[str]
    shredded_on: date | None = Field(None, description="the day its melding's retention "
                                                       "term ended and its content was "
                                                       "destroyed")


class CaseList(BaseModel):
    items: list[CaseSummaryOut]
    total: int


class CaseOut(BaseModel):
    id: str
    path: CasePath
    status: str
    outcome: list[str]
    theme: str
    involved: list[str]
    opened_at: datetime
    investigators: list[str]
    competent_authority: str = Field(description="the melding's assigned competent "
                                                 "authority, who alone acts on the case")
    content_withheld: bool = Field(
        description="true for the meldpunt, who follows the case's status and steps: "
                    "the allegation, minutes, plan, evidence and reports are left out")
    description: str | None = Field(description="the melding's description (the "
                                                "allegation), for those on the case")
    conversation: dict[str, Any] | None
    plan: dict[str, Any] | None
    interviews: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    draft_report: dict[str, Any] | None = Field(description="the latest version of the "
                                                             "draft report")
    draft_reports: list[dict[str, Any]] = Field(
        default_factory=list, description="every version of the draft report, oldest first "
                                          "(each with its `version`)")
    response: dict[str, Any] | None
    final_report: dict[str, Any] | None
    measures: list[dict[str, Any]] | None
    history: list[HistoryEntry]
    response_term_ends: datetime | None = Field(
        None, description="when the person concerned's term to respond to the draft "
                          "report ends (once there is a draft)")
    escalation: dict[str, Any] | None = Field(
        None, description="the competent authority's motivation when a conversation "
                          "was turned into an investigation")
    interim_measures: list[dict[str, Any]] = Field(
        default_factory=list, description="interim measures, each with its "
                                          "`measure_id`, `kind`, `motivation`, `lifted` "
                                          "and `kept` (by the final measures)")
    person_concerned: dict[str, Any] | None = Field(
        None, description="informed (when, by whom), the postponements of informing, "
                          "hearings, requests to see the file and their answers, and "
                          "when they were told the outcome")
    steps: list[str] = Field(
        default_factory=list,
        description="the commands the case's current status allows, in the protocol's "
                    "order (record_plan, record_interview, ...)")
