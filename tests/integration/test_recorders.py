"""The event store's Core recorders (shared.recorders) keep the library's contract, on
the real tables of a real application: reads filter and order exactly as promised, and
a tracking position only ever moves forward."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder

from services.intake.bootstrap import build_application
from shared.recorders import ProcessRecorder, all_notifications
from tests.support import make_settings


@pytest.fixture
def recorder(tmp_path: Path, database_url: str | None) -> Iterator[ProcessRecorder]:
    """Intake's recorder on a fresh, empty store (SQLite file, or a PostgreSQL database)."""
    settings = make_settings(tmp_path / "var", "nats://127.0.0.1:1", database_url)
    application = build_application(settings)
    assert isinstance(application.recorder, ProcessRecorder)
    yield application.recorder
    application.close()


def event(originator_id: UUID, version: int, topic: str = "tests:A") -> StoredEvent:
    return StoredEvent(originator_id=originator_id, originator_version=version, topic=topic,
                       state=f"{originator_id}/{version}".encode())


def test_select_events_honours_gt_lte_desc_and_limit(recorder: ProcessRecorder) -> None:
    """Versions > gt and <= lte, ascending or descending, the first `limit` of them; the
    same as the library's ORM query gives. One recorder for all cases, so statements
    built once per shape are reused with other values."""
    thing, other = uuid4(), uuid4()
    recorder.insert_events([event(thing, v) for v in range(1, 6)] + [event(other, 1)])
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({}, [1, 2, 3, 4, 5]),
        ({"gt": 2}, [3, 4, 5]),
        ({"gt": 3}, [4, 5]),
        ({"lte": 3}, [1, 2, 3]),
        ({"gt": 1, "lte": 4}, [2, 3, 4]),
        ({"gt": 5}, []),
        ({"limit": 2}, [1, 2]),
        ({"limit": 3}, [1, 2, 3]),
        ({"desc": True}, [5, 4, 3, 2, 1]),
        ({"desc": True, "limit": 2}, [5, 4]),
        ({"desc": True, "gt": 3}, [5, 4]),
        ({"desc": True, "lte": 4, "limit": 2}, [4, 3]),
        ({"desc": True, "gt": 1, "lte": 4, "limit": 2}, [4, 3]),
        ({"desc": True, "gt": 1, "lte": 4, "limit": 5}, [4, 3, 2]),
    ]
    for kwargs, versions in cases:
        selected = recorder.select_events(thing, **kwargs)
        assert selected == [event(thing, v) for v in versions], kwargs
        assert all(type(e.state) is bytes for e in selected), kwargs
        library = SQLAlchemyApplicationRecorder.select_events(recorder, thing, **kwargs)
        assert selected == library, kwargs
    assert recorder.select_events(other) == [event(other, 1)]
    assert recorder.select_events(uuid4()) == []


def test_select_notifications_honours_start_stop_topics_and_limit(
    recorder: ProcessRecorder,
) -> None:
    """Ids >= start (or > start), <= stop, of the given topics, the first `limit` in id
    order; the same as the library's ORM query gives. max_notification_id is None until
    something is stored, then the last id."""
    assert recorder.max_notification_id() is None
    assert recorder.select_notifications(None, 10) == []
    stored = [event(uuid4(), 1, topic="tests:A" if n % 2 == 0 else "tests:B")
              for n in range(6)]
    ids = list(recorder.insert_events(stored) or [])
    assert len(ids) == 6 and ids == sorted(ids)
    assert recorder.max_notification_id() == ids[-1]
    a, b = ["tests:A"], ["tests:B"]
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({"start": None, "limit": 10}, ids),
        ({"start": None, "limit": 2}, ids[:2]),
        ({"start": None, "limit": 3}, ids[:3]),
        ({"start": ids[2], "limit": 10}, ids[2:]),
        ({"start": ids[2], "limit": 10, "inclusive_of_start": False}, ids[3:]),
        ({"start": ids[0], "limit": 10, "inclusive_of_start": False}, ids[1:]),
        ({"start": ids[1], "limit": 10, "stop": ids[3]}, ids[1:4]),
        ({"start": ids[1], "limit": 10, "stop": ids[3], "inclusive_of_start": False},
         ids[2:4]),
        ({"start": None, "limit": 10, "stop": ids[1]}, ids[:2]),
        ({"start": ids[1], "limit": 2, "stop": ids[5]}, ids[1:3]),
        ({"start": None, "limit": 10, "topics": b}, ids[1::2]),
        ({"start": None, "limit": 10, "topics": a}, ids[0::2]),
        ({"start": None, "limit": 10, "topics": a + b}, ids),
        ({"start": ids[1], "limit": 2, "topics": a}, [ids[2], ids[4]]),
        ({"start": ids[2], "limit": 10, "topics": a, "inclusive_of_start": False}, [ids[4]]),
        ({"start": None, "limit": 10, "topics": ["tests:C"]}, []),
        ({"start": ids[-1] + 1, "limit": 10}, []),
    ]
    by_id = dict(zip(ids, stored, strict=True))
    for kwargs, expected in cases:
        selected = recorder.select_notifications(**kwargs)
        assert [n.id for n in selected] == expected, kwargs
        assert [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
                for n in selected] == [by_id[i] for i in expected], kwargs
        assert all(type(n.state) is bytes for n in selected), kwargs
        library = SQLAlchemyApplicationRecorder.select_notifications(recorder, **kwargs)
        assert selected == library, kwargs


@pytest.mark.parametrize("page", [1, 2, 3, 7])
def test_all_notifications_reads_every_one_in_order_page_by_page(
    recorder: ProcessRecorder, page: int
) -> None:
    """Page sizes that divide the count, that do not, and one larger than it."""
    assert list(all_notifications(recorder, page)) == []
    ids = list(recorder.insert_events([event(uuid4(), 1) for _ in range(6)]) or [])
    assert [n.id for n in all_notifications(recorder, page)] == ids


def test_tracking_only_moves_forward(recorder: ProcessRecorder) -> None:
    """Positions 5 then 7 are recorded; 6, 7 again or 3 are refused with IntegrityError
    and the refused transaction's events are not stored; each name has its own position."""
    name = "triage"
    assert recorder.max_tracking_id(name) is None
    assert not recorder.has_tracking_id(name, 1)
    recorder.insert_events([event(uuid4(), 1)], tracking=Tracking(name, 5))
    assert recorder.max_tracking_id(name) == 5
    recorder.insert_events([event(uuid4(), 1)], tracking=Tracking(name, 7))
    assert recorder.max_tracking_id(name) == 7
    last = recorder.max_notification_id()

    for position in (6, 7, 3):
        refused = uuid4()
        with pytest.raises(IntegrityError):
            recorder.insert_events([event(refused, 1)], tracking=Tracking(name, position))
        assert recorder.max_tracking_id(name) == 7, position
        assert recorder.select_events(refused) == [], position
        assert recorder.max_notification_id() == last, position

    assert recorder.has_tracking_id(name, 7)
    assert recorder.has_tracking_id(name, 6)
    assert not recorder.has_tracking_id(name, 8)
    assert recorder.has_tracking_id(name, None)

    recorder.insert_events([], tracking=Tracking("reporting", 6))
    assert (recorder.max_tracking_id("reporting"), recorder.max_tracking_id(name)) == (6, 7)
    recorder.insert_events([], tracking=Tracking(name, 8))
    assert recorder.max_tracking_id(name) == 8


@pytest.mark.parametrize("taken", [None, 1])
def test_racing_writers_of_one_position_only_one_wins(
    recorder: ProcessRecorder, taken: int | None
) -> None:
    """Writers racing to record the same position, whether or not the name has a
    position yet: one succeeds, every other gets IntegrityError and stores nothing."""
    name = "triage"
    if taken is not None:
        recorder.insert_events([], tracking=Tracking(name, taken))
    writers = 8
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []

    def write() -> None:
        barrier.wait()
        try:
            recorder.insert_events([event(uuid4(), 1)], tracking=Tracking(name, 2))
        except IntegrityError:
            outcomes.append("refused")
        else:
            outcomes.append("recorded")

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["recorded"] + ["refused"] * (writers - 1)
    assert recorder.max_tracking_id(name) == 2
    assert len(recorder.select_notifications(None, 100)) == 1
