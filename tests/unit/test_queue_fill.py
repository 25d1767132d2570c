"""The bench's direct fill of triage's queue table (`bench.queue_fill`) writes what the
queue view writes for the same receipts: the rows, their entries and the counts, so
that the queue's figures at 1,000,000 measure the table a deployment would have."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy
from sqlalchemy import select

from bench import queue_fill, seed
from services.triage.adapters.queue_table import count_rows, melding_rows
from services.triage.domain.report import Report
from services.triage.views import Queue
from shared.tableview import in_memory

WORDS_KEY = b"k" * 32


def _table(engine: sqlalchemy.Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as connection:
        rows = connection.execute(select(melding_rows).order_by(melding_rows.c.id)).all()
        counts = connection.execute(select(count_rows).order_by(*count_rows.c)).all()
    return [tuple(r) for r in rows], [tuple(c) for c in counts]


def test_the_filled_table_is_the_one_the_view_writes_for_the_same_receipts() -> None:
    fed = in_memory()
    queue = Queue(engine=fed, words_key=WORDS_KEY)
    for n in range(40):
        event = seed.received(n)
        report = Report(melding_id=UUID(event.melding_id), kind=event.kind,
                        theme=event.theme, channel=event.channel,
                        description=event.description, involved=event.involved,
                        occurred=None, anonymous=event.anonymous, identity=None,
                        received_at=event.received_at,
                        acknowledged_at=event.acknowledged_at)
        queue.apply_all(report.collect_events())
    filled = in_memory()
    queue_fill.fill(filled, 40, WORDS_KEY)
    assert _table(filled) == _table(fed)
    assert _table(filled)[0]  # not two empty tables
