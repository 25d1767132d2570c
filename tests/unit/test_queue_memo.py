"""What a queue page reads besides its rows is kept between pages
(`services.triage.adapters.queue_memo`): a cursor's next page of the same filter runs
one statement, its rows; and every kept total is the rows' count again after a
melding comes in, after a transition, after a shredding and once a term passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from uuid import UUID

import sqlalchemy

from services.triage.adapters import queue_query
from services.triage.adapters.queue_parts import Narrowing
from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from services.triage.views import Queue
from shared.tableview import in_memory

START = datetime(2025, 1, 1, tzinfo=UTC)


def _report(n: int, theme: str = "gifts") -> Report:
    return Report(melding_id=UUID(int=n + 1), kind="wrongdoing", theme=theme,
                  channel="web", description="d", involved=[], occurred=None,
                  anonymous=False, identity=None, received_at=START + timedelta(hours=n),
                  acknowledged_at=None)


def _statements(engine: sqlalchemy.Engine) -> list[str]:
    said: list[str] = []
    sqlalchemy.event.listen(engine, "before_cursor_execute",
                            lambda _c, _k, statement, *_: said.append(statement))
    return said


def test_a_cursors_next_page_reads_only_its_rows() -> None:
    engine = in_memory()
    queue = Queue(engine=engine)
    for n in range(5):
        queue.apply_all(_report(n).collect_events())
    first = queue.page(now=START, limit=2, reader=("meldpunt", "mia"), theme="gifts")
    said = _statements(engine)
    second = queue.page(now=START, limit=2, reader=("meldpunt", "mia"), theme="gifts",
                        after=first.entries[-1].key)
    assert len(said) == 1 and (first.total, second.total) == (5, 5)
    assert [e.id.int for e in second.entries] == [3, 4]
    queue.apply_all(_report(5).collect_events())  # the version moves: read again
    assert queue.page(now=START, limit=2, reader=("meldpunt", "mia"), theme="gifts",
                      after=first.entries[-1].key).total == 6
    assert len(said) > 2


def _agree(queue: Queue, now: datetime) -> None:
    readers = [None, ("meldpunt", "mia"), ("meldpunt", "max"),
               ("competent_authority", "bert")]
    for status, theme, overdue, reader in product([None, "received", "assessed"],
                                                  [None, "gifts", "conduct"],
                                                  [None, True, False], readers):
        kept = [queue.page(now=now, status=status, theme=theme, overdue=overdue,
                           reader=reader).total for _ in range(2)]
        where = queue_query.conditions(status=status, theme=theme, overdue=overdue,
                                       now=now, reader=reader, narrowing=Narrowing(),
                                       words_key=queue._words_key)
        with queue._engine.connect() as connection:
            rows = queue_query.count_rows(connection, where)
        assert kept == [rows, rows], (status, theme, overdue, reader, now)


def test_kept_totals_follow_inserts_transitions_shredding_and_terms() -> None:
    queue = Queue()
    reports = [_report(n, "gifts" if n % 2 else "conduct") for n in range(4)]
    for report in reports:
        queue.apply_all(report.collect_events())
    _agree(queue, START)
    reports[1].assess(admissible=True, reasonable_grounds=True, code_violation=True,
                      severity="low", theme="conduct", advice="conversation",
                      motivation="m", feedback="f", concerned_staff=["max"], by="mia",
                      at=START, routing=Routing("bert", "unknown: default", "test"))
    queue.apply_all(reports[1].collect_events())
    _agree(queue, START)
    reports[2].shred(term="no_follow_up", at=START + timedelta(days=1))
    queue.apply_all(reports[2].collect_events())
    _agree(queue, START)
    # No write, but the acknowledgement terms pass: `overdue` counts otherwise.
    later = START + timedelta(days=30)
    assert queue.page(now=later, overdue=True).total > queue.page(
        now=START, overdue=True).total
    _agree(queue, later)
    _agree(queue, START)  # and asked at an earlier moment again
