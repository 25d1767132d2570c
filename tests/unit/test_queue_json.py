"""A queue page written straight to JSON (`services.triage.api.queue_json`) is the
contract's: it validates as a `QueuePage`, and pydantic writes the same bytes for it,
for items with every field set and with none, times with and without microseconds,
at UTC and at another offset."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import orjson

from services.triage.adapters.queue_parts import QueueEntry
from services.triage.adapters.queue_table import entry_json
from services.triage.api.queue_json import page_json
from services.triage.api.schemas import QueuePage
from shared.terms import Deadlines

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _bare() -> QueueEntry:
    return QueueEntry(id=UUID(int=1), kind="wrongdoing", theme="gifts", channel="web",
                      anonymous=True, status="received", received_at=NOW - timedelta(days=3),
                      acknowledged_at=None,
                      deadlines=Deadlines(acknowledge_by=NOW + timedelta(days=2),
                                          feedback_by=None))


def _full() -> QueueEntry:
    plus_one = timezone(timedelta(hours=1))
    return QueueEntry(
        id=UUID(int=2), kind="integrity_violation", theme="conduct", channel="meldpunt",
        anonymous=False, status="assessed",
        received_at=datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=plus_one),
        acknowledged_at=NOW - timedelta(days=60),
        deadlines=Deadlines(acknowledge_by=NOW - timedelta(days=59, microseconds=7),
                            feedback_by=NOW + timedelta(days=20)),
        overdue_from=NOW - timedelta(hours=1), authority="ca-1", flagged=True,
        record_status="corrections_sent", meeting_due_by=NOW - timedelta(minutes=1),
        severity="high", reply_unread=True,
        closing_feedback_due_by=NOW + timedelta(days=1),
        shredded_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))


def _rows(*entries: QueueEntry) -> list[dict[str, object]]:
    return [orjson.loads(entry_json(entry)) for entry in entries]


def test_the_page_is_what_the_contract_writes() -> None:
    body = page_json(_rows(_bare(), _full()), NOW, total=7, offset=5, limit=2,
                     next_cursor="abc")
    page = QueuePage.model_validate_json(body)
    assert page.model_dump_json().encode() == body
    for item, entry in zip(page.items, [_bare(), _full()], strict=True):
        assert (item.id, item.received_at, item.deadlines.acknowledge_by,
                item.deadlines.feedback_by, item.meeting_due_by) == (
            str(entry.id), entry.received_at, entry.deadlines.acknowledge_by,
            entry.deadlines.feedback_by, entry.meeting_due_by)
        assert (item.competent_authority, item.severity, item.record_status) == (
            entry.authority, entry.severity, entry.record_status)
    last = page_json([], NOW, total=0, offset=0, limit=50, next_cursor=None)
    assert QueuePage.model_validate_json(last).model_dump_json().encode() == last


def test_the_flags_follow_the_terms_at_the_moment_asked() -> None:
    bare, full = orjson.loads(page_json(_rows(_bare(), _full()), NOW, total=2, offset=0,
                                        limit=50, next_cursor=None))["items"]
    assert bare["overdue"] is False and math.isinf(_bare().overdue_ts)
    assert (bare["meeting_overdue"], bare["closing_feedback_overdue"]) == (False, False)
    assert bare["shredded_on"] is None and bare["received_at"].endswith("Z")
    assert full["overdue"] is True and full["meeting_overdue"] is True
    assert full["closing_feedback_overdue"] is False
    assert full["shredded_on"] == date(2026, 3, 10).isoformat()  # Amsterdam's day
    assert full["received_at"] == "2026-01-05T09:30:15.123456+01:00"
