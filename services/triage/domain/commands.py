"""The commands the meldpunt and the competent authority give triage, as the routes
translate them from their requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Assessment:
    """The meldpunt's assessment, with who is concerned (`concerns` None keeps what
    the reporter gave)."""

    admissible: bool
    reasonable_grounds: bool
    code_violation: bool
    severity: str
    theme: str
    advice: str
    motivation: str
    #: What an inadmissible melding's reporter is told when it is closed on this
    #: advice; a general text by default.
    feedback: str | None = None
    concerns: str | None = None
    #: The melding may concern an official crime (art. 162 Sv): the decision must
    #: then say, motivated, whether a police report is made.
    official_crime: bool = False
    concerned_staff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    outcome: tuple[str, ...]
    motivation: str
    police_report_on: date | None = None
    #: What the reporter is told when the decision closes the melding.
    feedback: str | None = None
    referral_to: str | None = None
    police_report_motivation: str | None = None


@dataclass(frozen=True)
class PoliceReport:
    filed_on: date
    registration_number: str
