"""Fill triage's queue table directly, for the queue scenario at 1,000,000 meldingen:
through the bus that takes 10-30 minutes (every melding sealed, checked, stored and
encrypted again), and a page reads only the table.

The rows are what triage's view writes for the same `melding_received` events
(`bench.seed.received`): the entry, its counts and its words, in batches of one
transaction each. The event store holds none of those meldingen, and the view's
stored position says so (none is stored): so a start reads no event for them, and a
page, a count or a restart sees the same table as one the bus filled. Only for a
bench: a melding page or command on such a melding finds nothing in the store.
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

import sqlalchemy

from bench.seed import received
from services.triage.adapters import queue_table
from services.triage.adapters.queue_parts import QueueEntry, words_of
from shared.terms import deadlines

BATCH = 5000


def entry(n: int) -> tuple[QueueEntry, frozenset[str]]:
    """The n-th melding's entry and words, as the view makes them on its receipt."""
    event = received(n)
    at = event.received_at
    made = QueueEntry(id=UUID(event.melding_id), kind=event.kind, theme=event.theme,
                      channel=event.channel, anonymous=event.anonymous, status="received",
                      received_at=at, acknowledged_at=event.acknowledged_at,
                      deadlines=deadlines(at, event.acknowledged_at))
    made.refresh()
    return made, words_of(event.description or "")


def fill(engine: sqlalchemy.Engine, count: int, words_key: bytes, *,
         words: bool = False) -> None:
    """`words`: the descriptions' words too (ten rows a melding, most of the file):
    only the search reads them, and `GET /api/meldingen` does not."""
    queue_table.create(engine)
    for start in range(0, count, BATCH):
        made = [entry(n) for n in range(start, min(start + BATCH, count))]
        deltas: Counter[queue_table.CountKey] = Counter()
        for e, _ in made:
            deltas.update(queue_table.count_keys(e))
        with engine.begin() as connection:
            queue_table.write(connection, {e.id: e for e, _ in made}, set(),
                              {e.id: w for e, w in made} if words else {}, set(), deltas, words_key)
