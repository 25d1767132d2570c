"""Retention terms: how long a closed melding's content is kept, and which meldingen
are due for shredding on a day (docs/privacy.md, "Retention and crypto-shredding").

A term is a number of days counted from the day the melding was closed, on the
organisation's calendar, and depends on how it ended. The defaults below are this
project's proposals, each with the reason it leans on; the organisation's archive
selection list (selectielijst) decides in the end, and its terms are set in the
configuration: `MELDINGEN_RETENTION_DAYS` for every outcome (0 is allowed: shredded on
the day it closed, for tests and demonstrations), `MELDINGEN_RETENTION_DAYS_<OUTCOME>`
for one, which wins. A melding under a legal hold is never due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final

from shared.config import Settings
from shared.contracts import (
    RETENTION_OUTCOMES,
    CasePath,
    ClosingReason,
    MeasureKind,
    RetentionOutcome,
)
from shared.terms import local_date

YEAR: Final = 365

#: Days after closing, per outcome; the reasons are in docs/privacy.md's table.
DEFAULT_TERMS: Final[Mapping[RetentionOutcome, int]] = {
    # A complaint about the handling need not be dealt with after a year (Awb 9:8 lid 1 b).
    "inadmissible": 1 * YEAR,
    "no_follow_up": 1 * YEAR,
    # A repeated pattern should stay recognisable for a while; there is nothing to defend.
    "conversation": 2 * YEAR,
    # The limitation period of a claim, from the person concerned for one (BW 3:310).
    "investigation_without_measures": 5 * YEAR,
    # A measure may be contested and weighs on a later one.
    "investigation_with_measures": 10 * YEAR,
    # The authority it went to keeps its own file.
    "referred": 1 * YEAR,
}

#: The shortest motivation a legal hold is accepted with: it must say why.
MIN_HOLD_MOTIVATION = 10


class RetentionError(ValueError):
    """A legal hold that cannot be placed or lifted as asked; `field` names the input
    at fault, None when the melding's state refuses it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def retention_outcome(reason: ClosingReason, path: CasePath | None = None,
                      measure_kinds: Iterable[MeasureKind] = ()) -> RetentionOutcome:
    """How a melding ended, for its term: triage's closing reason, and for a closed
    case investigation's path and the measures taken (`none` is no measure). A police
    report without a case counts as referred: the police keep the file."""
    if reason == "inadmissible":
        return "inadmissible"
    if reason == "no_action":
        return "no_follow_up"
    if reason in ("referral", "police_report"):
        return "referred"
    if path == "conversation":
        return "conversation"
    if any(kind != "none" for kind in measure_kinds):
        return "investigation_with_measures"
    return "investigation_without_measures"


@dataclass(frozen=True)
class RetentionTerms:
    days: Mapping[RetentionOutcome, int]

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionTerms:
        days: dict[RetentionOutcome, int] = {}
        for outcome in RETENTION_OUTCOMES:
            own: int | None = getattr(settings, f"retention_days_{outcome}")
            if own is not None:
                days[outcome] = own
            elif settings.retention_days is not None:
                days[outcome] = settings.retention_days
            else:
                days[outcome] = DEFAULT_TERMS[outcome]
        return cls(days)

    def shred_on(self, closed_at: datetime, outcome: RetentionOutcome) -> date:
        """The first day the melding's content may no longer be kept."""
        return local_date(closed_at) + timedelta(days=self.days[outcome])


@dataclass(frozen=True)
class LegalHold:
    """A court case or a complaint that needs the file: no shredding while it lasts."""

    motivation: str
    placed_by: str
    placed_at: datetime


@dataclass(frozen=True)
class MeldingRetention:
    """What retention knows of one melding: when and how it closed, a hold, and
    whether it was shredded. Open meldingen have neither `closed_at` nor `outcome`."""

    melding_id: str
    closed_at: datetime | None = None
    outcome: RetentionOutcome | None = None
    hold: LegalHold | None = None
    shredded_at: datetime | None = None

    def held(self, motivation: str, by: str, at: datetime) -> MeldingRetention:
        _check_motivation(motivation, "say why the melding must be kept")
        if self.shredded_at is not None:
            raise RetentionError("the melding was shredded already: there is nothing to hold")
        if self.hold is not None:
            raise RetentionError("the melding is under a legal hold already")
        return replace(self, hold=LegalHold(motivation, by, at))

    def released(self, motivation: str | None = None) -> MeldingRetention:
        """Lifted (with why, when a person lifts it)."""
        if motivation is not None:
            _check_motivation(motivation, "say why the hold ends")
        if self.hold is None:
            raise RetentionError("the melding is under no legal hold")
        return replace(self, hold=None)

    def due_on(self, day: date, terms: RetentionTerms) -> bool:
        """Closed, its term passed by `day`, not held, not shredded yet."""
        if self.closed_at is None or self.outcome is None:
            return False
        if self.hold is not None or self.shredded_at is not None:
            return False
        return terms.shred_on(self.closed_at, self.outcome) <= day


def _check_motivation(motivation: str, ask: str) -> None:
    if len(motivation.strip()) < MIN_HOLD_MOTIVATION:
        raise RetentionError(f"motivation: {ask}, in at least {MIN_HOLD_MOTIVATION} "
                             "characters", field="motivation")


def due_for_shredding(meldingen: Iterable[MeldingRetention], day: date,
                      terms: RetentionTerms) -> list[MeldingRetention]:
    """The meldingen to shred on `day`, in the order given."""
    return [melding for melding in meldingen if melding.due_on(day, terms)]
