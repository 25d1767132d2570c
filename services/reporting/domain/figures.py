"""The annual figures: a projection of integration events into counts per year.

Counts only: no ids, names, or free text leave this module (melding ids are kept
in memory to attribute later events to the year the melding was received, and for
the statutory terms). It is fed plain decoded envelopes (`type`, `data`), not
pydantic models, because a replay of a million events goes through `apply`.

Attribution: everything about a melding counts in the year it was *received*
(in the organisation's time zone), so a year's figures describe that year's
meldingen from receipt to measures; contact moments count in the year of their
date. An event for a melding this projection never saw counts in its own year.
The one exception is the meldingen still open at a year's end: every melding
received by then and not closed by then, whichever year it came in, by its age.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping, MutableSet
from datetime import UTC, datetime
from typing import Any, get_args

import orjson

from shared.contracts import (
    Adviser,
    Channel,
    ClosingReason,
    Conclusion,
    InterimMeasureKind,
    Kind,
    MeasureKind,
    Outcome,
    Theme,
)
from shared.terms import LOCAL, add_months, deadlines, in_time

# Every vocabulary is the contract's: a value added there is counted here.
THEMES: tuple[str, ...] = get_args(Theme)
KINDS: tuple[str, ...] = get_args(Kind)
CHANNELS: tuple[str, ...] = get_args(Channel)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
CONCLUSIONS: tuple[str, ...] = get_args(Conclusion)
MEASURES: tuple[str, ...] = get_args(MeasureKind)
INTERIM_MEASURES: tuple[str, ...] = get_args(InterimMeasureKind)
CLOSING_REASONS: tuple[str, ...] = get_args(ClosingReason)
ADVISERS: tuple[str, ...] = get_args(Adviser)
#: How long a melding open at a year's end had been open, from its receipt.
OPEN_AGES = ("under_3_months", "3_to_6_months", "6_to_12_months", "over_12_months")

# The per-melding state kept in memory: a short list, not an object, for speed.
YEAR, FEEDBACK_DUE, FEEDBACK_GIVEN, ADMISSIBLE, COUNTED, RECEIVED, CLOSED, REOPENED = range(8)
# Steps that happen once per melding: a copy of one (a message re-published after
# the de-duplication window) must not count twice, here or in a replay.
ONCE = {"melding_decided": 1, "final_report_issued": 4, "case_closed": 8}
#: A melding's closing counts once (its first reason), though a reopened one closes
#: again: its latest closing says whether it is open at a year's end.
CLOSING = 2
#: A melding's police report counts once, whether a decision named it or it was
#: recorded (or both, or recorded twice).
POLICE_REPORT = 16


#: A figure's place in `AnnualFigures.figures`: ("meldingen", "by_theme", "gifts").
Path = tuple[str, ...]
MELDINGEN_TOTAL: Path = ("meldingen", "total")
#: The sums that hold in every year's figures, (total, parts): whoever reads the
#: published figures knows them too, so suppression must keep them from giving a
#: hidden count away (`publication.py`). Each part is in one sum only.
RELATIONS: tuple[tuple[Path, tuple[Path, ...]], ...] = (
    *((MELDINGEN_TOTAL, tuple(("meldingen", section, key) for key in keys))
      for section, keys in (("by_theme", THEMES), ("by_kind", KINDS),
                            ("by_channel", CHANNELS))),
    (MELDINGEN_TOTAL, (("terms", "acknowledgement", "within"),
                       ("terms", "acknowledgement", "late"))),
    (MELDINGEN_TOTAL, (("terms", "feedback", "within"), ("terms", "feedback", "late"),
                       ("terms", "feedback", "pending"))),
    *((("contact_moments", adviser, "total"),
       tuple(("contact_moments", adviser, "by_theme", theme) for theme in THEMES))
      for adviser in ADVISERS),
    (("investigations", "held"),
     tuple(("investigations", "by_conclusion", key) for key in CONCLUSIONS)),
    (("open_at_year_end", "total"), tuple(("open_at_year_end", "by_age", key)
                                          for key in OPEN_AGES)),
)
#: The sums that stay at or under a total, (total, parts): each melding is assessed,
#: closed, investigated, talked about, decided on and reported to the police at most
#: once in its year's figures, and a measure after an investigation is a measure. A
#: reader knows these too: total 4, admissible 3 and inadmissible "<3" make it 1.
CEILINGS: tuple[tuple[Path, tuple[Path, ...]], ...] = (
    (MELDINGEN_TOTAL, (("admissibility", "admissible"), ("admissibility", "inadmissible"))),
    (MELDINGEN_TOTAL, tuple(("closed", "by_reason", key) for key in CLOSING_REASONS)),
    *((MELDINGEN_TOTAL, (path,)) for path in (
        ("police_reports",), ("conversations",), ("investigations", "held"),
        *(("decisions", "by_outcome", key) for key in OUTCOMES))),
    (("police_reports",), (("decisions", "by_outcome", "police_report"),)),
    *((("measures", "by_kind", key), (("investigations", "measures_after", key),))
      for key in MEASURES),
)


def moment(iso: str) -> datetime:
    parsed = datetime.fromisoformat(iso)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def local_year(iso: str) -> int:
    """The year of an ISO time in the organisation's time zone. Only the first and
    last day of a year can change year with the zone: the rest is read directly."""
    if "01-01" < iso[5:10] < "12-31":
        return int(iso[:4])
    return moment(iso).astimezone(LOCAL).year


#: The events that may come more than once for a melding, each copy at its own time:
#: the key (after the event's own type) that says a copy was counted already.
COPIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "reprisal_complaint_recorded": lambda data: "reprisal_complaint",
    "interim_measure_taken": lambda data: f"interim_measure:{data['kind']}",
}


def copy_key(kind: str, data: dict[str, Any]) -> tuple[str, str, str] | None:
    """What says a copy of this event was counted (None: the event is not one of those)."""
    named = COPIES.get(kind)
    return None if named is None else (named(data), data["melding_id"], data["at"])


class AnnualFigures:
    """Counts per (year, section, key); a fresh one and a live one fed the same events
    are equal, which is what the replay checks.

    `meldingen` (the per-melding state, by id) and `seen` (the copies counted) are
    dicts and sets in memory, or a batch's part of them read from a table (the live
    figures, `views.py`); `open_at_end` then answers from that table too."""

    def __init__(self, meldingen: MutableMapping[str, list[Any]] | None = None,
                 seen: MutableSet[tuple[str, str, str]] | None = None) -> None:
        self.cells: dict[tuple[int, str, str], int] = {}
        self.meldingen = meldingen if meldingen is not None else {}
        self.events = 0
        self.open_at_end: Callable[[int], dict[str, Any]] = self._open_in_memory
        self._handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "melding_received": self._received,
            "contact_moment_recorded": self._contact_moment,
            "melding_assessed": self._assessed,
            "melding_decided": self._decided,
            "police_report_recorded": self._police_report,
            "reporter_messaged": self._messaged,
            "melding_closed": self._closed,
            "melding_reopened": self._reopened,
            "final_report_issued": self._final_report,
            "case_closed": self._case_closed,
            "reprisal_complaint_recorded": self._reprisal_complaint,
            "interim_measure_taken": self._interim_measure,
        }
        #: (type, melding, at) of the steps a melding may have several of, each once:
        #: a copy re-published after the de-duplication window counts no second time.
        self.seen = seen if seen is not None else set()

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        """Count one integration event (its `type` and `data`)."""
        self.events += 1
        handler = self._handlers.get(kind)
        if handler is None:
            return
        once = ONCE.get(kind)
        if once is not None:
            state = self.meldingen.get(data["melding_id"])
            if state is not None:
                if state[COUNTED] & once:
                    return
                state[COUNTED] |= once
        handler(data)

    def _count(self, year: int, section: str, key: str, by: int = 1) -> None:
        cell = (year, section, key)
        self.cells[cell] = self.cells.get(cell, 0) + by

    def _year_of(self, data: dict[str, Any]) -> int:
        state = self.meldingen.get(data["melding_id"])
        return state[YEAR] if state is not None else local_year(data["at"])

    def _received(self, data: dict[str, Any]) -> None:
        if data["melding_id"] in self.meldingen:
            return
        year = local_year(data["received_at"])
        self._count(year, "theme", data["theme"])
        self._count(year, "kind", data["kind"])
        self._count(year, "channel", data["channel"])
        acknowledged, received = moment(data["acknowledged_at"]), moment(data["received_at"])
        terms = deadlines(received, acknowledged)
        met = in_time(acknowledged, terms.acknowledge_by)
        self._count(year, "acknowledgement", "within" if met else "late")
        self.meldingen[data["melding_id"]] = [year, terms.feedback_by, False, None, 0,
                                              received, None, None]

    def _contact_moment(self, data: dict[str, Any]) -> None:
        self._count(int(data["date"][:4]), f"contact_{data['adviser']}", data["theme"])

    def _assessed(self, data: dict[str, Any]) -> None:
        year = self._year_of(data)
        verdict = "admissible" if data["admissible"] else "inadmissible"
        state = self.meldingen.get(data["melding_id"])
        if state is not None:
            if state[ADMISSIBLE] is not None:  # assessed again: the last one counts
                self._count(year, "admissibility", state[ADMISSIBLE], -1)
            state[ADMISSIBLE] = verdict
        self._count(year, "admissibility", verdict)

    def _decided(self, data: dict[str, Any]) -> None:
        year = self._year_of(data)
        for outcome in data["outcome"]:
            self._count(year, "decision", outcome)
        if "police_report" in data["outcome"] or data.get("police_report_on"):
            self._police_report(data)

    def _police_report(self, data: dict[str, Any]) -> None:
        state = self.meldingen.get(data["melding_id"])
        if state is not None:
            if state[COUNTED] & POLICE_REPORT:
                return
            state[COUNTED] |= POLICE_REPORT
        self._count(self._year_of(data), "police_report", "made")

    def _messaged(self, data: dict[str, Any]) -> None:
        if data["purpose"] != "feedback":
            return
        state = self.meldingen.get(data["melding_id"])
        if state is None or state[FEEDBACK_GIVEN]:
            return  # the statutory term is about the first feedback
        state[FEEDBACK_GIVEN] = True
        met = in_time(moment(data["at"]), state[FEEDBACK_DUE])
        self._count(state[YEAR], "feedback", "within" if met else "late")

    def _closed(self, data: dict[str, Any]) -> None:
        state = self.meldingen.get(data["melding_id"])
        if state is None:
            self._count(local_year(data["at"]), "closed", data["reason"])
            return
        closed = moment(data["at"])
        if state[REOPENED] is not None and closed < state[REOPENED]:
            return  # a copy of the closing before the reopening
        state[CLOSED] = closed
        if not state[COUNTED] & CLOSING:
            state[COUNTED] |= CLOSING
            self._count(state[YEAR], "closed", data["reason"])

    def _reopened(self, data: dict[str, Any]) -> None:
        state = self.meldingen.get(data["melding_id"])
        reopened = moment(data["at"])
        if state is not None and state[CLOSED] is not None and state[CLOSED] < reopened:
            state[CLOSED], state[REOPENED] = None, reopened

    def _first_copy(self, kind: str, data: dict[str, Any]) -> bool:
        seen = copy_key(kind, data)
        if seen in self.seen:
            return False
        if seen is not None:
            self.seen.add(seen)
        return True

    def _reprisal_complaint(self, data: dict[str, Any]) -> None:
        if self._first_copy("reprisal_complaint_recorded", data):
            self._count(self._year_of(data), "reprisal_complaint", "recorded")

    def _interim_measure(self, data: dict[str, Any]) -> None:
        if self._first_copy("interim_measure_taken", data):
            self._count(self._year_of(data), "interim_measure", data["kind"])

    def _final_report(self, data: dict[str, Any]) -> None:
        self._count(self._year_of(data), "conclusion", data["conclusion"])

    def _case_closed(self, data: dict[str, Any]) -> None:
        year = self._year_of(data)
        self._count(year, "case_path", data["path"])
        for kind in data["measure_kinds"]:
            self._count(year, "measure", kind)
            if data["path"] == "investigation":  # what the conclusions led to
                self._count(year, "measure_after_investigation", kind)

    # Reading ----------------------------------------------------------------------

    def years(self) -> list[int]:
        return sorted({year for year, _, _ in self.cells})

    def figures(self, year: int) -> dict[str, Any]:
        """Every figure of one year, unrounded and unsuppressed."""
        def get(section: str, key: str) -> int:
            return self.cells.get((year, section, key), 0)

        def by(section: str, keys: tuple[str, ...]) -> dict[str, int]:
            return {key: get(section, key) for key in keys}

        themes = by("theme", THEMES)
        received = sum(themes.values())
        ack_within, ack_late = get("acknowledgement", "within"), get("acknowledgement", "late")
        fb_within, fb_late = get("feedback", "within"), get("feedback", "late")
        conclusions = by("conclusion", CONCLUSIONS)
        return {
            "year": year,
            "meldingen": {"total": received, "by_theme": themes, "by_kind": by("kind", KINDS),
                          "by_channel": by("channel", CHANNELS)},
            "contact_moments": {
                adviser: {"total": sum(by(f"contact_{adviser}", THEMES).values()),
                          "by_theme": by(f"contact_{adviser}", THEMES)}
                for adviser in ADVISERS},
            "admissibility": by("admissibility", ("admissible", "inadmissible")),
            "decisions": {"by_outcome": by("decision", OUTCOMES)},
            "police_reports": get("police_report", "made"),
            "conversations": get("case_path", "conversation"),
            "investigations": {"held": sum(conclusions.values()), "by_conclusion": conclusions,
                               "measures_after": by("measure_after_investigation", MEASURES)},
            "measures": {"by_kind": by("measure", MEASURES)},
            "interim_measures": {"by_kind": by("interim_measure", INTERIM_MEASURES)},
            "reprisal_complaints": get("reprisal_complaint", "recorded"),
            "closed": {"by_reason": by("closed", CLOSING_REASONS)},
            "open_at_year_end": self.open_at_end(year),
            "terms": {
                "acknowledgement": {"within": ack_within, "late": ack_late,
                                    "share_within": share(ack_within, ack_within + ack_late)},
                "feedback": {"within": fb_within, "late": fb_late,
                             "pending": received - fb_within - fb_late,
                             "share_within": share(fb_within, fb_within + fb_late)},
            },
        }

    def _open_in_memory(self, year: int) -> dict[str, Any]:
        """The meldingen received before the year ended and not closed by then, by how
        long they had been open. For the running year: those open so far."""
        end = year_end(year)
        ages = dict.fromkeys(OPEN_AGES, 0)
        for state in self.meldingen.values():
            received, closed = state[RECEIVED], state[CLOSED]
            if received < end and (closed is None or closed >= end):
                ages[age(received, end)] += 1
        return {"total": sum(ages.values()), "by_age": ages}

    def digest(self) -> str:
        """SHA-256 over every year's figures in a canonical encoding."""
        every = {str(year): self.figures(year) for year in self.years()}
        return hashlib.sha256(orjson.dumps(every, option=orjson.OPT_SORT_KEYS)).hexdigest()


#: The ages but the last, by the months they end at.
AGES = ((3, "under_3_months"), (6, "3_to_6_months"), (12, "6_to_12_months"))


def year_end(year: int) -> datetime:
    """The moment `year` ends on the organisation's calendar."""
    return datetime(year + 1, 1, 1, tzinfo=LOCAL)


def age_bounds(end: datetime) -> tuple[tuple[datetime, str], ...]:
    """`age` as bounds, for a query: at `end` (a local midnight on a month's first day,
    as `year_end`) a melding received after the first bound's moment is of its age,
    else after the next one's, ...; received by the last: "over_12_months". On a
    calendar month's first day no month-end clamping applies, so `end` is before
    `add_months(received, n)` exactly when `received` is after `add_months(end, -n)`."""
    return tuple((add_months(end, -months), name) for months, name in AGES)


def age(received: datetime, end: datetime) -> str:
    """How long a melding received at `received` had been open at `end`, in calendar
    months on the organisation's calendar."""
    for months, name in AGES:
        if end < add_months(received, months):
            return name
    return "over_12_months"


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
