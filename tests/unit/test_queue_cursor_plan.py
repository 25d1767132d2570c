"""A cursor's page seeks in the order's index to its key, however deep (SQLite's
plan: a SEARCH on the key's range, not a SCAN of the index from its start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy

from services.triage.domain.report import Report
from services.triage.views import Queue
from shared.tableview import in_memory

START = datetime(2025, 1, 1, tzinfo=UTC)


def test_a_cursor_page_seeks_to_its_key() -> None:
    engine = in_memory()
    queue = Queue(engine=engine)
    for n in range(3):
        queue.apply_all(Report(
            melding_id=UUID(int=n + 1), kind="wrongdoing", theme="gifts", channel="web",
            description="d", involved=[], occurred=None, anonymous=False, identity=None,
            received_at=START + timedelta(hours=n), acknowledged_at=None).collect_events())
    first = queue.page(now=START, limit=1)
    said: list[tuple[str, Any]] = []
    sqlalchemy.event.listen(engine, "before_cursor_execute",
                            lambda _c, _k, sql, parameters, *_: said.append((sql, parameters)))
    for theme in (None, "gifts"):
        said.clear()
        page = queue.page(now=START, limit=1, theme=theme, after=first.entries[-1].key)
        assert [e.id.int for e in page.entries] == [2]
        (sql, parameters), = [(sql, p) for sql, p in said if "ORDER BY" in sql]
        with engine.connect() as connection:
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, parameters))
        assert "SEARCH" in plan and "received_us>?" in plan, plan
