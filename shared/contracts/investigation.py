"""Integration events investigation publishes: the report, an interim measure, a lapsed
response term and the case's end."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from shared.contracts.base import IntegrationEvent
from shared.contracts.vocabulary import (
    CasePath,
    Conclusion,
    InterimMeasureKind,
    MeasureKind,
    MeasureTarget,
)


class FinalReportIssued(IntegrationEvent):
    """investigation -> reporting: an investigation's conclusion (no report text)."""

    type: ClassVar[str] = "final_report_issued"

    melding_id: str
    conclusion: Conclusion
    at: datetime


class InterimMeasureTaken(IntegrationEvent):
    """investigation -> reporting: an interim measure (schorsing, non-actiefstelling, a
    change of duties) during an investigation; its motivation stays in investigation."""

    type: ClassVar[str] = "interim_measure_taken"

    melding_id: str
    kind: InterimMeasureKind
    at: datetime


class CaseClosed(IntegrationEvent):
    """investigation -> triage (closes the melding, sends the feedback), reporting."""

    type: ClassVar[str] = "case_closed"
    keyed_fields: ClassVar[tuple[str, ...]] = ("feedback",)

    melding_id: str
    path: CasePath
    measure_kinds: list[MeasureKind]
    measure_targets: list[MeasureTarget]
    #: The competent authority's own words to the reporter; None: triage sends its
    #: closing template, in the reporter's language.
    feedback: str | None = None
    at: datetime


class ResponseTermLapsed(IntegrationEvent):
    """investigation -> console (mails the case's investigators and its competent
    authority): the person concerned's term to respond to a draft report passed with no
    response. Once per draft version; nothing of the case's content."""

    type: ClassVar[str] = "response_term_lapsed"

    melding_id: str
    draft_version: int
    term_ended: datetime
    #: Whom the console mails (login names): the case's team and its authority.
    investigators: list[str]
    competent_authority: str
    at: datetime
