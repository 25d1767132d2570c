"""The queue view against the obvious answer: whatever happened to the meldingen, a
page is what filtering and sorting all of them would give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from services.triage.views import Queue
from shared.errors import DomainError
from shared.terms import deadlines, is_overdue

ROUTED = Routing("bert", "unknown: default", "the default competent authority")

START = datetime(2025, 1, 1, tzinfo=UTC)
THEMES = ["gifts", "conduct", "interests"]


def melding(n: int, day: int, theme: str) -> Report:
    moment = START + timedelta(days=day)
    return Report(melding_id=UUID(int=n + 1), kind="wrongdoing", theme=theme, channel="web",
                  description="d", involved=[], occurred=None, anonymous=False, identity=None,
                  received_at=moment, acknowledged_at=moment)


def step(report: Report, command: str, theme: str, at: datetime) -> None:
    if command == "assess":
        report.assess(admissible=theme != "conduct", reasonable_grounds=True,
                      code_violation=True, severity="low", theme=theme, advice="conversation",
                      motivation="m", feedback="f", by="mia", at=at,
                      routing=ROUTED)
    elif command == "decide":
        report.decide(outcome=["conversation"], motivation="m", police_report_on=None,
                      feedback="f", by="bert", at=at)
    elif command == "feedback":
        report.message_reporter(body="b", purpose="feedback", by="mia", at=at)
    else:
        report.close(reason="case_closed", start="s", advice=None, by="investigation", at=at)


meldingen = st.lists(st.tuples(st.integers(0, 200), st.sampled_from(THEMES)),
                     min_size=1, max_size=25)
steps = st.lists(st.tuples(st.integers(0, 24), st.sampled_from(["assess", "decide",
                                                                  "feedback", "close"]),
                           st.sampled_from(THEMES), st.integers(0, 200)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(meldingen, steps, st.sampled_from([None, "received", "assessed", "decided", "closed"]),
       st.sampled_from([None, *THEMES]), st.sampled_from([None, True, False]),
       st.integers(0, 300), st.integers(0, 5), st.integers(1, 10))
def test_a_page_is_what_filtering_everything_gives(
    filed: list[tuple[int, str]], changes: list[tuple[int, str, str, int]], status: Any,
    theme: Any, overdue: Any, today: int, offset: int, limit: int,
) -> None:
    queue = Queue()
    reports = [melding(n, day, t) for n, (day, t) in enumerate(filed)]
    # Arrivals out of order too: the queue sorts by receipt, not by arrival.
    for report in reversed(reports):
        for domain_event in report.collect_events():
            queue.apply(domain_event)
    for index, command, new_theme, day in changes:
        report = reports[index % len(reports)]
        try:
            step(report, command, new_theme, START + timedelta(days=day))
        except DomainError:
            continue
        for domain_event in report.collect_events():
            queue.apply(domain_event)

    now = START + timedelta(days=today)

    def late(r: Report) -> bool:
        return is_overdue(deadlines(r.received_at, r.acknowledged_at), r.acknowledged_at,
                          r.feedback_at, now)

    expected = sorted(
        (r for r in reports
         if (status is None or r.status == status) and (theme is None or r.theme == theme)
         and (overdue is None or late(r) == overdue)),
        key=lambda r: (r.received_at, r.id))
    page = queue.page(status=status, theme=theme, overdue=overdue, now=now, offset=offset,
                      limit=limit)
    assert page.total == len(expected)
    assert [e.id for e in page.entries] == [r.id for r in expected[offset : offset + limit]]
    for entry in page.entries:
        report = next(r for r in reports if r.id == entry.id)
        assert (entry.status, entry.theme, entry.overdue(now)) == (
            report.status, report.theme, late(report))
