"""Committing what policies collected together with its tracking record: the one place
that calls the eventsourcing library's private recording steps.

Why private: eventsourcing 9.5.6 records a `ProcessingEvent` with its `Tracking` only
inside `process_event`, which runs one policy call for one event. The inbox applies a
batch of events (some of them parked) under one tracking record, and the public
`save()` cannot carry one (`save(tracking=...)` hands `tracking` to `events.put`
twice). So this repeats `process_event`'s steps, in its order;
`tests/unit/test_processing.py` pins that order and the library's version, so an
upgrade that changes either fails there first.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import Recording
from eventsourcing.system import ProcessApplication


def commit(app: ProcessApplication[UUID], processing_event: ProcessingEvent[UUID]
           ) -> list[Recording[UUID]]:
    """Record the collected events and the tracking atomically, take the snapshots
    due, and tell the application's commit callbacks."""
    recordings = app._record(processing_event)
    app._take_snapshots(processing_event)
    app.notify(processing_event.events)
    app._notify(recordings)
    return recordings
