"""The queue's rows in triage's own database: one per melding, with a column for each
filter the queue answers (indexed, each index ending in the order of receipt, so a
page is a range of one index), the melding's summary beside them, the subs each
melding excludes (need-to-know) and its description's words, each in a table of its
own.

A row holds no content: the words are kept as keyed digests, never as text, and a
shredded melding's go with its shredding. Nothing here is held in memory: a start
reads no row, and a page reads only its own rows (issue 23).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    select,
)

from services.triage.adapters.queue_parts import TIMES, QueueEntry
from services.triage.desk.domain.desk import Desk
from shared.names import normalised
from shared.viewstore import insert_many

#: `overdue_ts` of a melding with every term met (a float column holds no infinity
#: in every database): later than any moment.
NEVER = 1e18

metadata = MetaData()
melding_rows = Table(
    "triage_queue", metadata,
    Column("id", String(36), primary_key=True),
    Column("desk_id", String(36), nullable=False, index=True),
    Column("received_us", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("theme", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("severity", String(16)),
    Column("authority", String(255)),  # normalised, as need-to-know compares it
    Column("flagged", Boolean, nullable=False),
    Column("reply_unread", Boolean, nullable=False),
    Column("closing_due", Boolean, nullable=False),
    Column("overdue_ts", Float, nullable=False),
    Column("entry", Text, nullable=False),
    Index("triage_queue_received", "received_us", "id"),
    Index("triage_queue_status", "status", "received_us", "id"),
    Index("triage_queue_theme", "theme", "received_us", "id"),
    Index("triage_queue_status_theme", "status", "theme", "received_us", "id"),
    Index("triage_queue_authority", "authority", "received_us", "id"),
    Index("triage_queue_overdue", "overdue_ts", "received_us", "id"),
)
excluded_rows = Table(
    "triage_queue_excluded", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("sub", String(255), primary_key=True),
    Index("triage_queue_excluded_sub", "sub"),
)
#: How many meldingen each filter combination holds (scope: "" for all, or the
#: competent authority; status and theme "" for any), those with every term met
#: (`never`) apart: so that a page's total is a look-up, not a count of the rows.
count_rows = Table(
    "triage_queue_counts", metadata,
    Column("scope", String(255), primary_key=True),
    Column("status", String(32), primary_key=True),
    Column("theme", String(32), primary_key=True),
    Column("never", Boolean, primary_key=True),
    Column("n", BigInteger, nullable=False),
)
word_rows = Table(
    "triage_queue_words", metadata,
    Column("word", String(32), primary_key=True),
    Column("melding_id", String(36), primary_key=True),
    Index("triage_queue_words_melding", "melding_id"),
)


CountKey = tuple[str, str, str, bool]


def count_keys(entry: QueueEntry) -> list[CountKey]:
    """The combinations a melding counts in (as the totals are looked up)."""
    never = not math.isfinite(entry.overdue_ts)
    scopes = ("",) if entry.authority is None else ("", normalised(entry.authority))
    return [(scope, status, theme, never) for scope in scopes
            for status in ("", entry.status) for theme in ("", entry.theme)]


# Built once: every page looks its total up, and a statement built per call costs more
# than the look-up itself.
_COUNT = select(func.coalesce(func.sum(count_rows.c.n), 0)).where(
    count_rows.c.scope == sqlalchemy.bindparam("scope"),
    count_rows.c.status == sqlalchemy.bindparam("status"),
    count_rows.c.theme == sqlalchemy.bindparam("theme"))
_COUNT_NEVER = _COUNT.where(count_rows.c.never == sqlalchemy.bindparam("never"))


def count(connection: sqlalchemy.Connection, scope: str, status: str, theme: str,
          never: bool | None) -> int:
    values: dict[str, Any] = {"scope": scope, "status": status, "theme": theme}
    if never is None:
        return int(connection.execute(_COUNT, values).scalar_one())
    return int(connection.execute(_COUNT_NEVER, {**values, "never": never}).scalar_one())


_ADD = count_rows.update().where(
    count_rows.c.scope == sqlalchemy.bindparam("k_scope"),
    count_rows.c.status == sqlalchemy.bindparam("k_status"),
    count_rows.c.theme == sqlalchemy.bindparam("k_theme"),
    count_rows.c.never == sqlalchemy.bindparam("k_never"),
).values(n=count_rows.c.n + sqlalchemy.bindparam("delta"))


def _recount(connection: sqlalchemy.Connection, deltas: dict[CountKey, int]) -> None:
    """One read of the scopes' counts, then one update for those there and one insert
    for the rest (a batch of new meldingen moves a few dozen)."""
    moved = {key: delta for key, delta in deltas.items() if delta != 0}
    if not moved:
        return
    c = count_rows.c
    scopes = sorted({key[0] for key in moved})
    there = {(scope, status, theme, bool(never)) for scope, status, theme, never
             in connection.execute(select(c.scope, c.status, c.theme, c.never)
                                   .where(c.scope.in_(scopes)))}
    updates = [{"k_scope": scope, "k_status": status, "k_theme": theme, "k_never": never,
                "delta": delta}
               for (scope, status, theme, never), delta in moved.items()
               if (scope, status, theme, never) in there]
    if updates:
        connection.execute(_ADD, updates)
    insert_many(connection, count_rows, ("scope", "status", "theme", "never", "n"),
                [(*key, delta) for key, delta in moved.items() if key not in there])


def create(engine: sqlalchemy.Engine) -> None:
    metadata.create_all(engine)


def micros(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


def word_digest(word: str, key: bytes) -> str:
    """How a word is stored and looked up: never the word, but a digest keyed with a
    secret outside the database (`Queue`'s `words_key`, from triage's keyring secret),
    so that the table and a word list alone tell nothing of a description."""
    return hashlib.blake2b(word.encode(), digest_size=16, key=key).hexdigest()


def entry_json(entry: QueueEntry) -> str:
    row: dict[str, Any] = {name: getattr(entry, name) for name in QueueEntry.__slots__
                           if name not in ("words", "deadlines", "overdue_ts")}
    row["id"] = str(entry.id)
    for name in TIMES:
        row[name] = None if row[name] is None else row[name].isoformat()
    row["excluded"] = list(entry.excluded)
    row["deadlines"] = [entry.deadlines.acknowledge_by.isoformat(),
                        entry.deadlines.feedback_by.isoformat()
                        if entry.deadlines.feedback_by else None]
    return orjson.dumps(row).decode()


def json_entry(text: str) -> QueueEntry:
    """The entry a row's summary holds."""
    return QueueEntry.of_row(orjson.loads(text))


#: A row's columns, in the order `_columns` gives their values.
_COLUMNS = ("id", "desk_id", "received_us", "status", "theme", "kind", "channel", "severity",
            "authority", "flagged", "reply_unread", "closing_due", "overdue_ts", "entry")


def _columns(entry: QueueEntry) -> tuple[Any, ...]:
    return (
        str(entry.id), str(Desk.create_id(entry.id)),
        micros(entry.received_at.astimezone(UTC)), entry.status,
        entry.theme, entry.kind, entry.channel, entry.severity,
        None if entry.authority is None else normalised(entry.authority),
        entry.flagged, entry.reply_unread, entry.closing_feedback_due_by is not None,
        entry.overdue_ts if math.isfinite(entry.overdue_ts) else NEVER,
        entry_json(entry))


def read(connection: sqlalchemy.Connection, ids: Iterable[UUID],
         desk_ids: Iterable[UUID]) -> tuple[dict[UUID, QueueEntry], dict[UUID, UUID]]:
    """The entries of these meldingen, and of the meldingen these desks belong to
    (desk -> melding)."""
    wanted = [str(i) for i in ids]
    desks = [str(i) for i in desk_ids]
    entries: dict[UUID, QueueEntry] = {}
    belongs: dict[UUID, UUID] = {}
    for start in range(0, max(len(wanted), len(desks)), 500):
        part, desk_part = wanted[start:start + 500], desks[start:start + 500]
        condition = melding_rows.c.id.in_(part) | melding_rows.c.desk_id.in_(desk_part)
        for desk_id, text in connection.execute(select(
                melding_rows.c.desk_id, melding_rows.c.entry).where(condition)):
            entry = json_entry(text)
            entries[entry.id] = entry
            belongs[UUID(desk_id)] = entry.id
    return entries, belongs


def write(connection: sqlalchemy.Connection, changed: dict[UUID, QueueEntry],
          stored: set[UUID], words: dict[UUID, frozenset[str]], shredded: set[UUID],
          deltas: dict[CountKey, int], words_key: bytes) -> None:
    """Replace the changed meldingen's rows and exclusions (`stored`: those that have
    rows; a new melding has none to delete), and move their counts; add the words of
    the new ones, and drop those of the shredded."""
    _recount(connection, deltas)
    keys = [str(i) for i in changed if i in stored]
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        connection.execute(delete(melding_rows).where(melding_rows.c.id.in_(part)))
        connection.execute(delete(excluded_rows).where(excluded_rows.c.melding_id.in_(part)))
    insert_many(connection, melding_rows, _COLUMNS,
                [_columns(entry) for entry in changed.values()])
    insert_many(connection, excluded_rows, ("melding_id", "sub"),
                [(str(entry.id), sub) for entry in changed.values() for sub in entry.excluded])
    insert_many(connection, word_rows, ("word", "melding_id"), [
        (word_digest(word, words_key), str(melding_id))
        for melding_id, melding_words in words.items() if melding_id not in shredded
        for word in melding_words])
    gone = [str(i) for i in shredded]
    for start in range(0, len(gone), 500):
        connection.execute(delete(word_rows).where(
            word_rows.c.melding_id.in_(gone[start:start + 500])))
