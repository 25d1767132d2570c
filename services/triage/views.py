"""The queue: every melding's summary as a row in triage's own database
(`services.triage.adapters.queue_table`), kept current from each commit, so that listing reads
no events and a start reads no rows (issue 23).

A commit's events change their meldingen's rows in one transaction: the rows are read,
each event changes its melding's entry as below, and the changed rows are written
back. A page is one indexed query (`services.triage.adapters.queue_query`). The queue is a
stored view (`shared.viewstore`) whose rows are written as they change: a flush only
records the position up to which every event is in them, and a start reads the events
after it.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy

from services.triage.adapters import queue_query, queue_table
from services.triage.adapters.queue_memo import Memo
from services.triage.adapters.queue_parts import Key, Narrowing, Page, QueueEntry, words_of
from services.triage.desk.domain.desk import Desk
from services.triage.domain.procedure import TRANSITIONS, Status
from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from shared.authz import visibility
from shared.contracts import QueueSort
from shared.names import normalised
from shared.tableview import in_memory
from shared.terms import closing_feedback_due, deadlines
from shared.viewstore import Row

_COMMANDS = {Report.Assessed: "assess", Report.Decided: "decide",
             Report.Closed: "close", Report.Reopened: "reopen"}
#: Events that change nothing a queue row shows: a commit of only these (a named
#: reporter's identity read, on every melding page) reads and writes no row.
_UNSHOWN = (Report.IdentityRead,)


class _Batch:
    """One commit's changes: the entries read and changed, new meldingen's words, and
    the meldingen shredded."""

    def __init__(self, entries: dict[UUID, QueueEntry], desks: dict[UUID, UUID]) -> None:
        self.entries, self.desks = entries, desks
        self.changed: set[UUID] = set()
        self.words: dict[UUID, frozenset[str]] = {}
        self.shredded: set[UUID] = set()


class Queue:
    name = "queue_table"  # its position in `shared.viewstore`

    def __init__(self, default_authority: str | None = None,
                 closing_feedback_days: int = 5,
                 engine: sqlalchemy.Engine | None = None,
                 words_key: bytes | None = None) -> None:
        #: The competent authority of a melding assessed before routing existed.
        self._default_authority = default_authority
        self._closing_feedback_days = closing_feedback_days
        self._engine = engine or in_memory()
        # Keys the search words' digests; one of its own for a queue kept in memory.
        self._words_key = words_key or os.urandom(32)
        queue_table.create(self._engine)
        self._lock = threading.Lock()  # one commit's read-change-write at a time
        self._version = 0
        self._memo = Memo(-1, 0.0, 0.0)  # what pages read besides their rows: none yet

    @property
    def version(self) -> int:
        """Moves on after each commit that changed a row: a page read at one version is
        the same answer while it holds (`Page.version`, `Page.until`). Moved only once
        the transaction is committed, so that no page read before it carries the new
        one. The rows have no other writer than this view in this process."""
        return self._version

    def apply(self, event: Any) -> None:
        self.apply_all([event])

    def apply_all(self, events: Iterable[Any]) -> None:
        events = [e for e in events if not isinstance(e, _UNSHOWN)]
        ids = {e.originator_id for e in events if not isinstance(e, Desk.RepliesRead)}
        desks = {e.originator_id for e in events if isinstance(e, Desk.RepliesRead)}
        if not events:
            return
        with self._lock, self._engine.begin() as connection:
            batch = _Batch(*queue_table.read(connection, ids, desks))
            stored = set(batch.entries)
            counted = {i: queue_table.count_keys(e) for i, e in batch.entries.items()}
            for event in events:
                self._change(batch, event)
            if batch.changed:
                deltas: Counter[queue_table.CountKey] = Counter()
                for melding_id in batch.changed:
                    deltas.update(queue_table.count_keys(batch.entries[melding_id]))
                    deltas.subtract(counted.get(melding_id, []))
                queue_table.write(connection, {i: batch.entries[i] for i in batch.changed},
                                  stored, batch.words, batch.shredded, deltas, self._words_key)
        if batch.changed:
            with self._lock:  # committed: only now may a page carry the next version
                self._version += 1

    def _change(self, batch: _Batch, event: Any) -> None:
        if isinstance(event, Report.Received):
            self._received(batch, event)
            return
        if isinstance(event, Desk.RepliesRead):
            melding_id = batch.desks.get(event.originator_id)
            if melding_id is not None:
                self._replies_read(batch.entries[melding_id], event.up_to)
                batch.changed.add(melding_id)
            return
        entry = batch.entries.get(event.originator_id)
        if entry is None:
            return
        batch.changed.add(entry.id)
        if isinstance(event, Report.Assessed):
            # Routing comes first in the same commit; without it, the default.
            entry.severity, entry.theme = event.severity, event.theme or entry.theme
            if not entry.routed:
                entry.authority = self._default_authority
        elif isinstance(event, Report.Routed):
            self._exclude(entry, event.concerned_staff)
            entry.routed, entry.flagged = True, event.sub is None
            entry.authority = event.sub
        elif isinstance(event, Report.Reassigned):
            entry.flagged, entry.authority = False, event.sub
        elif isinstance(event, Report.Recused):
            self._exclude(entry, [event.by])
        elif isinstance(event, Report.RecordStatusNoted):
            entry.record_status = event.status
        elif isinstance(event, Report.MeetingRequestNoted):
            entry.meeting_due_by = event.due_by
        elif isinstance(event, Report.ReplyReceived):
            entry.last_reply_at = max(entry.last_reply_at or event.at, event.at)
            entry.reply_unread = entry.read_up_to is None or event.at > entry.read_up_to
        elif isinstance(event, Report.MessageSent) and event.purpose == "feedback":
            entry.feedback_at = entry.feedback_at or event.at
            if entry.status == "closed":  # only the closing feedback comes then
                entry.closing_feedback_due_by = None
        elif isinstance(event, Report.Closed) and getattr(event, "start", None):
            entry.closing_feedback_due_by = closing_feedback_due(
                event.at, self._closing_feedback_days)
        elif isinstance(event, Report.Reopened):
            # The feedback term runs from the reopening, and no feedback is given yet.
            entry.deadlines, entry.feedback_at = deadlines(entry.received_at, event.at), None
            entry.closing_feedback_due_by = None
        elif isinstance(event, Retained.Shredded):
            entry.shredded_at, entry.closing_feedback_due_by = event.at, None
            batch.shredded.add(entry.id)
        # The status follows the aggregate's own transition table.
        entry.status = self._status_after(event, entry.status)
        entry.refresh()

    @staticmethod
    def _status_after(event: Any, status: Status) -> Status:
        command = _COMMANDS.get(type(event))
        if command is None:
            return status
        return TRANSITIONS[command].get(status, status)

    @staticmethod
    def _received(batch: _Batch, event: Any) -> None:
        if event.originator_id in batch.entries:
            return
        entry = QueueEntry(
            id=event.originator_id, kind=event.kind, theme=event.theme, channel=event.channel,
            anonymous=event.anonymous, status="received", received_at=event.received_at,
            acknowledged_at=event.acknowledged_at,
            deadlines=deadlines(event.received_at, event.acknowledged_at),
        )
        entry.refresh()
        batch.entries[entry.id] = entry
        batch.desks[Desk.create_id(entry.id)] = entry.id
        batch.changed.add(entry.id)
        batch.words[entry.id] = words_of(event.description or "")  # none once shredded

    @staticmethod
    def _replies_read(entry: QueueEntry, up_to: datetime) -> None:
        entry.read_up_to = max(entry.read_up_to or up_to, up_to)
        entry.reply_unread = (entry.last_reply_at is not None
                              and entry.last_reply_at > entry.read_up_to)

    @staticmethod
    def _exclude(entry: QueueEntry, subs: list[str]) -> None:
        for sub in sorted({normalised(s) for s in subs} - set(entry.excluded)):
            entry.excluded = (*entry.excluded, sub)

    def page(self, *, status: str | None = None, theme: str | None = None,
             overdue: bool | None = None, now: datetime, offset: int = 0,
             limit: int = 50, reader: tuple[str, str] | None = None,
             flagged: bool | None = None, narrowing: Narrowing = Narrowing(),
             sort: QueueSort = "received", after: Key | None = None) -> Page:
        """One page of the queue, oldest first (or nearest deadline first), and how
        many match in all: of the meldingen `reader` (role, sub) may see, or of all;
        `flagged`: only those that wait (or do not wait) for the meldpunt to assign a
        competent authority. `after`: the page after that melding's key (keyset
        paging, in order of receipt only), in place of `offset`."""
        if flagged is not None:
            narrowing = replace(narrowing, flagged=flagged)
        version, moment = self._version, now.timestamp()  # before any read: a commit
        with self._engine.connect() as connection:          # during them moves it on
            memo = self._memo
            if not memo.holds(version, moment):
                memo = Memo(version, moment, queue_query.next_term(connection, moment))
                self._memo = memo
            excluded = reader is not None and memo.excluded(
                normalised(reader[1]),
                lambda: queue_query.excluded_anywhere(connection, reader[1]))
            where = queue_query.conditions(
                status=status, theme=theme, overdue=overdue, now=now, reader=reader,
                narrowing=narrowing, words_key=self._words_key, excluded=excluded)

            def total() -> int:
                counted = queue_query.total(connection, status=status, theme=theme,
                                            overdue=overdue, now=now, reader=reader,
                                            narrowing=narrowing)
                return queue_query.count_rows(connection, where) if counted is None else counted

            # A search's words are not kept, not even as a key (`docs/queue.md`).
            n = total() if narrowing.words else memo.total(
                (status, theme, overdue, narrowing, reader and visibility(*reader)), total)
            read = queue_query.page(connection, where, offset=offset, limit=limit,
                                    sort=sort, after=after, total=n)
        return replace(read, version=version,
                       until=queue_query.until(memo.until, moment, read.rows))

    # -- as a stored view (`shared.viewstore`): the rows are written as they change ----

    def dump(self) -> dict[str, Row | None]:
        return {}

    def mark(self, keys: Iterable[str]) -> None:
        """Nothing is held back to flush again."""

    def restore(self, rows: Iterable[Row]) -> None:
        """Its rows are its own table's, read by each page: none to load."""
