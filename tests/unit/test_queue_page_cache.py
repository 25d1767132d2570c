"""The queue's kept pages (`services.triage.api.page_cache`): given again only at the
version and before the moment they were kept for, and never more than their bound.
The view's version moves after a commit that changes a row, and not for one that
changes none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from services.triage.api.page_cache import PageCache
from services.triage.domain.report import Report
from services.triage.views import Queue

START = datetime(2025, 1, 1, tzinfo=UTC)


def test_a_page_is_given_only_at_its_version_and_before_its_moment() -> None:
    pages = PageCache(size=2)
    pages.put("a", version=3, until=100.0, body=b"A")
    assert pages.get("a", 3, 99.9) == b"A"
    assert pages.get("a", 4, 99.9) is None  # the view moved on
    assert pages.get("a", 3, 100.0) is None  # a term passed
    pages.put("b", 3, 100.0, b"B")
    assert pages.get("a", 3, 0.0) == b"A"  # now the most recently asked
    pages.put("c", 3, 100.0, b"C")
    assert len(pages) == 2 and pages.get("b", 3, 0.0) is None  # the least recent went


def test_a_clear_drops_every_page_and_refuses_one_read_before_it() -> None:
    pages = PageCache()
    pages.put("a", version=3, until=100.0, body=b"A")
    pages.clear(version=4)  # a shredding committed at 4
    assert len(pages) == 0
    pages.put("b", 3, 100.0, b"B")  # read while it committed, put after the clear
    assert len(pages) == 0
    pages.put("b", 4, 100.0, b"B")
    assert pages.get("b", 4, 0.0) == b"B"


def test_the_version_moves_with_each_commit_that_changes_a_row() -> None:
    queue = Queue()
    report = Report(melding_id=UUID(int=1), kind="wrongdoing", theme="gifts",
                    channel="web", description="d", involved=[], occurred=None,
                    anonymous=False, identity=None, received_at=START, acknowledged_at=START)
    received = report.collect_events()
    page = queue.page(now=START)
    assert page.version == 0 and page.entries == []
    queue.apply_all(received)
    assert queue.version == 1
    queue.apply_all(received)  # taken in again: no row changes
    assert queue.version == 1
    page = queue.page(now=START)
    assert page.version == 1 and len(page.entries) == 1
    # It holds until its feedback term passes (acknowledged at once), and no longer.
    feedback_by = page.entries[0].deadlines.feedback_by
    assert feedback_by is not None and page.until == feedback_by.timestamp()
    assert queue.page(now=feedback_by + timedelta(seconds=1)).until == float("inf")
