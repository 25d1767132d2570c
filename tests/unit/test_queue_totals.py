"""A page's total comes from the queue's counts, not from counting its rows; for every
filter combination, reader and moment it is the number of rows that match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from uuid import UUID

from services.triage.adapters import queue_query
from services.triage.adapters.queue_parts import Narrowing
from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from services.triage.views import Queue

START = datetime(2025, 1, 1, tzinfo=UTC)


def melding(n: int, theme: str, assessed_by: str | None, authority: str | None,
            concerned: list[str]) -> Report:
    moment = START + timedelta(days=20 * n)
    report = Report(melding_id=UUID(int=n + 1), kind="wrongdoing", theme=theme,
                    channel="web", description="d", involved=[], occurred=None,
                    anonymous=False, identity=None, received_at=moment,
                    acknowledged_at=moment if n % 2 else None)
    if assessed_by is not None:
        report.assess(admissible=True, reasonable_grounds=True, code_violation=True,
                      severity="low", theme=theme, advice="conversation", motivation="m",
                      feedback="f", concerned_staff=concerned, by=assessed_by, at=moment,
                      routing=Routing(authority, "unknown: default", "test"))
    return report


def test_the_counted_totals_are_the_rows_that_match() -> None:
    queue = Queue()
    reports = [melding(0, "gifts", None, None, []), melding(1, "gifts", "mia", "bert", []),
               melding(2, "conduct", "mia", "bert", ["max"]),
               melding(3, "conduct", "max", "carla", ["mia", "bert"]),
               melding(4, "gifts", "mia", None, []), melding(5, "conduct", None, None, [])]
    for report in reports:
        queue.apply_all(report.collect_events())
    reports[1].recuse(reason="zwager", by="bert", at=START)
    queue.apply_all(reports[1].collect_events())
    readers = [None, ("meldpunt", "mia"), ("meldpunt", "max"), ("competent_authority", "bert"),
               ("competent_authority", "carla"), ("investigator", "ivo")]
    moments = [START, START + timedelta(days=50), START + timedelta(days=400)]
    with queue._engine.connect() as connection:
        for status, theme, overdue, reader, now in product(
                [None, "received", "assessed"], [None, "gifts", "conduct"],
                [None, True, False], readers, moments):
            where = queue_query.conditions(status=status, theme=theme, overdue=overdue,
                                           now=now, reader=reader, narrowing=Narrowing(),
                                           words_key=queue._words_key)
            counted = queue_query.total(connection, status=status, theme=theme,
                                        overdue=overdue, now=now, reader=reader,
                                        narrowing=Narrowing())
            rows = queue_query.count_rows(connection, where)
            assert counted == rows, (status, theme, overdue, reader, now)
    assert queue.page(now=START).total == 6
