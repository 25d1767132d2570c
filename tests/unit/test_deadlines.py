"""The statutory terms: 7 days to acknowledge, 3 calendar months to give feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.terms import (
    LOCAL,
    add_months,
    deadlines,
    is_overdue,
    overdue_from,
)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A moment on the organisation's calendar."""
    return datetime(year, month, day, hour, tzinfo=LOCAL)


@pytest.mark.parametrize(("start", "expected"), [
    (at(2025, 1, 31), at(2025, 4, 30)),   # April has 30 days
    (at(2025, 1, 15), at(2025, 4, 15)),
    (at(2023, 11, 30), at(2024, 2, 29)),  # into a leap February
    (at(2022, 11, 30), at(2023, 2, 28)),  # into an ordinary February
    (at(2024, 11, 29), at(2025, 2, 28)),
    (at(2023, 12, 31), at(2024, 3, 31)),  # across the year
    (at(2024, 10, 31), at(2025, 1, 31)),
    (at(2024, 2, 29), at(2024, 5, 29)),   # from a leap day
])
def test_feedback_term_is_three_calendar_months_clamped_to_the_month_end(
    start: datetime, expected: datetime
) -> None:
    assert add_months(start, 3) == expected
    assert deadlines(start, start).feedback_by == expected


def test_acknowledgement_term_is_seven_days_after_receipt() -> None:
    terms = deadlines(at(2024, 2, 26), at(2024, 3, 1))
    assert terms.acknowledge_by == at(2024, 3, 4)  # 2024 is a leap year: 26 Feb + 7 = 4 Mar
    assert terms.feedback_by == at(2024, 6, 1)     # counted from the acknowledgement


def test_feedback_term_waits_for_the_acknowledgement() -> None:
    assert deadlines(at(2025, 1, 1), None).feedback_by is None


def test_months_are_counted_on_the_local_calendar() -> None:
    # 23:30 UTC on 31 January is 00:30 on 1 February in Nijmegen: the term ends on
    # 1 May at 00:30 there (summer time by then), which is 22:30 UTC on 30 April.
    start = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
    due = add_months(start, 3)
    assert due == datetime(2025, 4, 30, 22, 30, tzinfo=UTC)
    assert due.tzinfo is UTC  # in the zone it was given
    assert due.astimezone(LOCAL) == datetime(2025, 5, 1, 0, 30, tzinfo=LOCAL)


def test_a_utc_morning_keeps_its_local_time_of_day_across_summer_time() -> None:
    # 09:00 UTC is 10:00 in winter; three months later it is 10:00 summer time.
    assert add_months(datetime(2025, 1, 31, 9, tzinfo=UTC), 3) == datetime(
        2025, 4, 30, 8, tzinfo=UTC)


def test_feedback_given_in_time_is_never_overdue() -> None:
    received = at(2025, 1, 31)
    terms = deadlines(received, received)
    feedback = at(2025, 4, 30)
    assert overdue_from(terms, received, feedback) is None
    assert not is_overdue(terms, received, feedback, at(2030, 1, 1))


def test_without_feedback_a_melding_is_overdue_only_after_the_term() -> None:
    received = at(2025, 1, 31)
    terms = deadlines(received, received)
    assert not is_overdue(terms, received, None, at(2025, 4, 30))
    assert is_overdue(terms, received, None, at(2025, 4, 30) + timedelta(seconds=1))


def test_late_feedback_stays_a_missed_term() -> None:
    received = at(2025, 1, 31)
    terms = deadlines(received, received)
    assert is_overdue(terms, received, at(2025, 5, 2), at(2025, 6, 1))


def test_a_late_acknowledgement_is_overdue() -> None:
    received = at(2025, 3, 1)
    terms = deadlines(received, at(2025, 3, 9))
    assert overdue_from(terms, at(2025, 3, 9), None) == at(2025, 3, 8)
    assert is_overdue(terms, at(2025, 3, 9), None, at(2025, 3, 9))


def test_a_missing_acknowledgement_is_overdue_after_seven_days() -> None:
    received = at(2025, 3, 1)
    terms = deadlines(received, None)
    assert not is_overdue(terms, None, None, at(2025, 3, 8))
    assert is_overdue(terms, None, None, at(2025, 3, 8, 13))
