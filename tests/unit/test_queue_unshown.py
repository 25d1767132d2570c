"""The queue passes over what changes none of its rows: a named reporter's identity
read (a commit on every melding page the meldpunt opens) reads and writes no row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy

from services.triage.domain.report import Report
from services.triage.views import Queue
from shared.tableview import in_memory

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_an_identity_read_reads_and_writes_no_queue_row() -> None:
    engine = in_memory()
    queue = Queue(engine=engine)
    report = Report(melding_id=UUID(int=1), kind="wrongdoing", theme="gifts", channel="web",
                    description="d", involved=[], occurred=None, anonymous=False,
                    identity={"name": "Jan Jansen"}, received_at=AT, acknowledged_at=AT)
    queue.apply_all(report.collect_events())
    version = queue.version
    transactions: list[Any] = []
    sqlalchemy.event.listen(engine, "begin", transactions.append)

    report.record_identity_read(by="mia", at=AT)
    queue.apply_all(report.collect_events())
    assert transactions == [] and queue.version == version  # kept pages stay
    # The queue still shows the melding as before, and still takes in what it shows.
    page = queue.page(now=AT)
    assert [entry.id for entry in page.entries] == [report.id]
    transactions.clear()
    report.message_reporter(body="b", purpose="feedback", by="mia", at=AT)
    queue.apply_all(report.collect_events())
    assert len(transactions) == 1
