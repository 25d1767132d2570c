"""Stored views' position (shared/viewstore.py): a flush stores the highest position up
to which every stored notification reached the views, so that a commit whose callback
came late is read again at the next start instead of being skipped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from uuid import uuid4

import sqlalchemy
from eventsourcing.persistence import Notification, Recording

from shared.viewstore import Commits, Row, StoredViews, ViewStore


class Seen:
    """A view of which events it saw: one row per event."""

    name = "seen"

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self._dirty: set[str] = set()

    def apply(self, event: Any) -> None:
        self.rows[event] = {"event": event}
        self._dirty.add(event)

    def apply_all(self, events: Iterable[Any]) -> None:
        for event in events:
            self.apply(event)

    def dump(self) -> dict[str, Row | None]:
        dirty, self._dirty = self._dirty, set()
        return {key: self.rows.get(key) for key in dirty}

    def mark(self, keys: Iterable[str]) -> None:
        self._dirty.update(keys)

    def restore(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.rows[row["event"]] = row


def recording(number: int) -> Recording[Any]:
    notification = Notification(originator_id=uuid4(), originator_version=1, topic="t",
                                state=b"", id=number)
    return Recording(f"event {number}", notification)  # type: ignore[arg-type]


def test_a_late_callback_holds_the_position_below_it(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'views.db'}")
    stored_ids = [1, 2, 3]  # what the event store holds

    def ids(after: int, up_to: int) -> list[int]:
        return [i for i in stored_ids if after < i <= up_to]

    view = Seen()
    views = StoredViews(ViewStore(engine, "test"), [view], ids)
    assert views.restore() == 0
    views.recorded([recording(2)])  # 1's commit came first, its callback not yet
    views.recorded([recording(3)])
    views.flush()
    assert views.position == 0  # below 1: a start now reads 1, 2 and 3 again

    again = Seen()
    assert StoredViews(ViewStore(engine, "test"), [again], ids).restore() == 0
    assert set(again.rows) == {"event 2", "event 3"}  # applying them twice is harmless

    views.recorded([recording(1)])
    views.flush()
    assert views.position == 3
    last = Seen()
    assert StoredViews(ViewStore(engine, "test"), [last], ids).restore() == 3
    assert set(last.rows) == {"event 1", "event 2", "event 3"}


def test_a_gap_left_by_a_rolled_back_commit_does_not_hold_it(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'views.db'}")
    views = StoredViews(ViewStore(engine, "test"), [Seen()],
                        lambda after, up_to: [i for i in (1, 3) if after < i <= up_to])
    views.restore()
    views.recorded([recording(1)])
    views.recorded([recording(3)])  # no 2 was ever stored
    views.flush()
    assert views.position == 3


class Strict(Seen):
    """A view whose rows gained a field: older rows do not read."""

    def restore(self, rows: Iterable[Row]) -> None:
        read = [row["added since"] for row in rows]
        self.rows.update({key: {"event": key} for key in read})


def test_rows_of_another_shape_rebuild_the_view_from_every_event(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'views.db'}")

    def ids(after: int, up_to: int) -> list[int]:
        return [i for i in (1,) if after < i <= up_to]

    views = StoredViews(ViewStore(engine, "test"), [Seen()], ids)
    views.restore()
    views.recorded([recording(1)])
    views.flush()
    assert views.position == 1
    strict = Strict()
    assert StoredViews(ViewStore(engine, "test"), [strict], ids).restore() == 0
    assert strict.rows == {}


def test_an_id_no_callback_brought_is_read_once_no_commit_is_under_way(
        tmp_path: Path) -> None:
    # 2 is another process's event (the CLI's), or this process's whose callback is
    # still to come: which, the process's commits under way tell.
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'views.db'}")
    view = Seen()
    views = StoredViews(ViewStore(engine, "test"), [view],
                        lambda after, up_to: [i for i in (1, 2, 3) if after < i <= up_to])
    views.commits, views.read_ids = Commits(), lambda ids: [f"event {i}" for i in ids]
    views.restore()
    views.recorded([recording(1)])
    views.recorded([recording(3)])
    views.commits.begin()  # a commit of this process's under way: 2 may be it
    views.flush()
    assert views.position == 1 and "event 2" not in view.rows
    views.commits.end()
    views.flush()
    assert views.position == 3 and "event 2" in view.rows
    again = Seen()
    assert StoredViews(ViewStore(engine, "test"), [again], lambda after, up_to: []
                       ).restore() == 3
    assert "event 2" in again.rows
