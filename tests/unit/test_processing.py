"""The one use of the eventsourcing library's private recording steps
(`shared/processing.py`): pinned to the library version whose `process_event` it
repeats, and checked to commit a batch as that would commit one event."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from functools import singledispatchmethod
from importlib.metadata import version
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Recording, Tracking
from eventsourcing.projection import EventSourcedProjection

from shared import processing
from shared.application import ServiceApplication
from shared.parking import ParkedMessage, Parking


def steps(function: Callable[..., Any], on: str) -> list[str]:
    """The methods `function` calls on `on`, in the order they are written."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return [node.func.attr for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == on]


def test_the_library_is_the_version_whose_steps_are_repeated() -> None:
    assert version("eventsourcing") == "9.5.6"


def test_commit_takes_the_library_process_events_steps_in_its_order() -> None:
    library = steps(EventSourcedProjection.process_event, "self")
    assert library == ["policy", "_record", "_take_snapshots", "notify", "_notify"]
    assert steps(processing.commit, "app") == library[1:]


def test_the_public_save_cannot_carry_a_tracking_record() -> None:
    """Why `commit` exists: with this version, save(tracking=...) is refused."""
    app = Counting()
    with pytest.raises(TypeError, match="tracking"):
        app.save(Tally(), tracking=Tracking("upstream", 1))


class Tally(Aggregate):
    def __init__(self) -> None:
        self.count = 0

    def add(self) -> None:
        self._added()

    @event("Added")
    def _added(self) -> None:
        self.count += 1


class Counting(ServiceApplication):
    name = "counting"
    snapshotting_intervals = {Tally: 2}

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        tally = Tally()
        tally.add()
        processing_event.collect_events(tally)


def test_a_batch_commits_once_with_its_tracking_snapshots_and_callbacks() -> None:
    app = Counting()
    commits: list[list[Recording[UUID]]] = []
    app.on_recorded(commits.append)
    parking = Parking(stream="S", sequence=2, subject="meldingen.x.y", reason="unsigned",
                      payload=b"{}")

    app.process_batch(["first", parking, "third"], Tracking("S", 3))

    # One commit: two tallies of two events each, and the parked message.
    [recordings] = commits
    assert len(recordings) == 5
    assert app.recorder.max_tracking_id("S") == 3
    tallies = {r.domain_event.originator_id for r in recordings
               if r.domain_event.originator_id != ParkedMessage.create_id("S", 2)}
    assert len(tallies) == 2
    assert app.snapshots is not None
    for tally_id in tallies:
        [snapshot] = app.snapshots.get(tally_id)
        assert snapshot.originator_version == 2
