"""Integration events investigation publishes: the report and the case's end."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from shared.contracts.base import IntegrationEvent
from shared.contracts.vocabulary import CasePath, Conclusion, MeasureKind, MeasureTarget


class FinalReportIssued(IntegrationEvent):
    """investigation -> reporting: an investigation's conclusion (no report text)."""

    type: ClassVar[str] = "final_report_issued"

    melding_id: str
    conclusion: Conclusion
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
