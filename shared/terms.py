"""The statutory terms of a melding, computed here and nowhere else: triage flags them,
reporting counts whether they were met.

Acknowledgement within 7 days of receipt; feedback within 3 calendar months of the
acknowledgement (Wet bescherming klokkenluiders, art. 2 lid 1). A month is a calendar
month: a day that does not exist in the target month becomes that month's last day,
so 31 January + 3 months is 30 April, and 30 November 2023 + 3 months is 29 February
2024. Months are counted on the organisation's calendar (`LOCAL`): a melding
acknowledged at 23:30 UTC on 31 January was acknowledged on 1 February in Nijmegen,
so its term ends on 1 May, at the same time of day there. Results keep the time zone
their input carries.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

ACKNOWLEDGE_WITHIN = timedelta(days=7)
FEEDBACK_WITHIN_MONTHS = 3
#: The organisation's time zone: its calendar decides what a day, a month and a
#: year are (a melding at 23:30 UTC on 31 December 2025 came in 2026 in Nijmegen).
LOCAL = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime) -> date:
    """The day `moment` falls on in the organisation's calendar."""
    return moment.astimezone(LOCAL).date()


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    #: None until the melding is acknowledged: the term runs from the acknowledgement.
    feedback_by: datetime | None


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months on the local calendar, clamped to the last day of
    the target month, at the same local time of day (summer time included)."""
    local = moment.astimezone(LOCAL)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(moment.tzinfo)


def deadlines(received_at: datetime, acknowledged_at: datetime | None) -> Deadlines:
    return Deadlines(
        acknowledge_by=received_at + ACKNOWLEDGE_WITHIN,
        feedback_by=(
            add_months(acknowledged_at, FEEDBACK_WITHIN_MONTHS) if acknowledged_at else None
        ),
    )


def meeting_due(requested_at: datetime, within_days: int) -> datetime:
    """The end of the term for meeting a reporter who asked to meet (a setting:
    `MELDINGEN_MEETING_REQUEST_TERM_DAYS`)."""
    return requested_at + timedelta(days=within_days)


def check_in_due(closed_at: datetime, within_days: int) -> datetime:
    """When the meldpunt checks in with a closed melding's protected persons, against
    disadvantage after the closing (a setting: `MELDINGEN_PROTECTION_FOLLOW_UP_DAYS`)."""
    return closed_at + timedelta(days=within_days)


def closing_feedback_due(closed_at: datetime, within_days: int) -> datetime:
    """When the meldpunt gives a closed melding's closing feedback (a setting:
    `MELDINGEN_CLOSING_FEEDBACK_DAYS`)."""
    return closed_at + timedelta(days=within_days)


def in_time(done_at: datetime, due: datetime) -> bool:
    """Whether a step done at `done_at` met the term ending at `due` (the last moment
    itself still counts)."""
    return done_at <= due


def overdue_from(
    terms: Deadlines, acknowledged_at: datetime | None, feedback_at: datetime | None
) -> datetime | None:
    """The moment from which the melding counts as overdue, or None if it never will
    (both terms met). Overdue means: acknowledged late (or not yet, past the term), or
    feedback not given by `feedback_by` (given late, or not yet and the term passed).
    A missed term stays missed, so the annual report can count it."""
    moments: list[datetime] = []
    if acknowledged_at is None or not in_time(acknowledged_at, terms.acknowledge_by):
        moments.append(terms.acknowledge_by)
    if terms.feedback_by is not None and (
        feedback_at is None or not in_time(feedback_at, terms.feedback_by)
    ):
        moments.append(terms.feedback_by)
    return min(moments) if moments else None


def is_overdue(
    terms: Deadlines, acknowledged_at: datetime | None, feedback_at: datetime | None,
    now: datetime,
) -> bool:
    start = overdue_from(terms, acknowledged_at, feedback_at)
    return start is not None and now > start
