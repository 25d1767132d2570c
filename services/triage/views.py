"""The queue: an in-memory view of every melding's summary, rebuilt from the event
store at start and kept current from each commit, so listing reads no events.

It stays fast at 100,000 meldingen: every combination of the `status` and `theme`
filters has its own index kept in order of receipt, so a page is a slice; with
`overdue`, the total is counted in a sorted list of the moments each melding turns
overdue, and the page is read from the nearer end until it is full. Each competent
authority has such indexes of the meldingen assigned to them. Who sees which
melding is `shared.authz.may_see`; the few a reader is concerned in or recused from
are left out of their pages by that rule (a slower walk, only for those readers).
The narrower filters (kind, channel, severity, an unread reply, words of the
description) and the order by nearest deadline walk the chosen index once.
"""

from __future__ import annotations

import threading
from bisect import insort
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from services.triage.desk.domain.desk import Desk
from services.triage.domain.procedure import TRANSITIONS, Status
from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from services.triage.queue_parts import (
    IndexName,
    Keep,
    Key,
    Narrowing,
    Page,
    QueueEntry,
    _Index,
    kept_words,
)
from shared.authz import is_allowed, may_see
from shared.contracts import QueueSort
from shared.names import normalised
from shared.terms import closing_feedback_due, deadlines


class Queue:
    def __init__(self, default_authority: str | None = None,
                 closing_feedback_days: int = 5) -> None:
        #: The competent authority of a melding assessed before routing existed.
        self._default_authority = default_authority
        self._closing_feedback_days = closing_feedback_days
        self._entries: dict[UUID, QueueEntry] = {}
        #: a melding's desk (`Desk.create_id`) -> the melding
        self._desks: dict[UUID, UUID] = {}
        self._indexes: dict[IndexName, _Index] = {}
        #: normalised sub -> how many meldingen exclude them
        self._exclusions: dict[str, int] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Report.Received):
                self._received(event)
                return
            if isinstance(event, Desk.RepliesRead):
                self._replies_read(event.originator_id, event.up_to)
                return
            entry = self._entries.get(event.originator_id)
            if entry is None:
                return
            if isinstance(event, Report.Assessed):
                # Routing comes first in the same commit; without it, the default.
                entry.severity = event.severity
                self._move(entry, theme=event.theme,
                           authority="keep" if entry.routed else self._default_authority)
            elif isinstance(event, Report.Routed):
                self._exclude(entry, event.concerned_staff)
                entry.routed, entry.flagged = True, event.sub is None
                self._move(entry, authority=event.sub)
            elif isinstance(event, Report.Reassigned):
                entry.flagged = False
                self._move(entry, authority=event.sub)
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
                self._feedback_given(entry, event.at)
                if entry.status == "closed":  # only the closing feedback comes then
                    entry.closing_feedback_due_by = None
            elif isinstance(event, Report.Closed) and getattr(event, "start", None):
                entry.closing_feedback_due_by = closing_feedback_due(
                    event.at, self._closing_feedback_days)
            elif isinstance(event, Report.Reopened):
                self._terms_restarted(entry, event.at)
                entry.closing_feedback_due_by = None
            elif isinstance(event, Retained.Shredded):
                entry.shredded_at, entry.words, entry.closing_feedback_due_by = event.at, (), None
            # The status follows the aggregate's own transition table.
            status = self._status_after(event, entry.status)
            if status != entry.status:
                self._move(entry, status=status)

    @staticmethod
    def _status_after(event: Any, status: Status) -> Status:
        command = {Report.Assessed: "assess", Report.Decided: "decide",
                   Report.Closed: "close", Report.Reopened: "reopen"}.get(type(event))
        if command is None:
            return status
        return TRANSITIONS[command].get(status, status)

    def _received(self, event: Any) -> None:
        if event.originator_id in self._entries:
            return
        entry = QueueEntry(
            id=event.originator_id, kind=event.kind, theme=event.theme, channel=event.channel,
            anonymous=event.anonymous, status="received", received_at=event.received_at,
            acknowledged_at=event.acknowledged_at,
            deadlines=deadlines(event.received_at, event.acknowledged_at),
            words=kept_words(event.description or ""),  # none once shredded
        )
        entry.refresh()
        self._entries[entry.id] = entry
        self._desks[Desk.create_id(entry.id)] = entry.id
        for name in self._names(entry.status, entry.theme, entry.authority):
            self._indexes.setdefault(name, _Index()).insert(entry)

    def _terms_restarted(self, entry: QueueEntry, at: datetime) -> None:
        """A reopening: the feedback term runs from `at`, and no feedback is given yet."""
        before = entry.overdue_ts
        entry.deadlines, entry.feedback_at = deadlines(entry.received_at, at), None
        self._overdue_moved(entry, before)

    def _replies_read(self, desk_id: UUID, up_to: datetime) -> None:
        entry = self._entries.get(self._desks.get(desk_id, desk_id))
        if entry is not None:
            entry.read_up_to = max(entry.read_up_to or up_to, up_to)
            entry.reply_unread = (entry.last_reply_at is not None
                                  and entry.last_reply_at > entry.read_up_to)

    def _feedback_given(self, entry: QueueEntry, at: datetime) -> None:
        before = entry.overdue_ts
        entry.feedback_at = entry.feedback_at or at
        self._overdue_moved(entry, before)

    def _overdue_moved(self, entry: QueueEntry, before: float) -> None:
        entry.refresh()
        if entry.overdue_ts != before:
            for name in self._names(entry.status, entry.theme, entry.authority):
                index = self._indexes[name]
                index.forget_moment(before)
                insort(index.overdue_moments, entry.overdue_ts)

    def _move(self, entry: QueueEntry, *, status: Status | None = None,
              theme: str | None = None, authority: str | Keep | None = "keep") -> None:
        status, theme = status or entry.status, theme or entry.theme
        if authority == "keep":
            authority = entry.authority
        old = set(self._names(entry.status, entry.theme, entry.authority))
        new = set(self._names(status, theme, authority))
        for name in old - new:
            self._indexes[name].remove(entry)
        for name in new - old:
            self._indexes.setdefault(name, _Index()).insert(entry)
        entry.status, entry.theme, entry.authority = status, theme, authority

    def _exclude(self, entry: QueueEntry, subs: list[str]) -> None:
        for sub in {normalised(s) for s in subs} - set(entry.excluded):
            entry.excluded = (*entry.excluded, sub)
            self._exclusions[sub] = self._exclusions.get(sub, 0) + 1

    @staticmethod
    def _names(status: str, theme: str, authority: str | None) -> list[IndexName]:
        scopes = (None,) if authority is None else (None, normalised(authority))
        return [(scope, s, t) for scope in scopes
                for s, t in ((None, None), (status, None), (None, theme), (status, theme))]

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
        with self._lock:
            scope, may_see_entry = self._scope(reader)
            visible = may_see_entry
            if narrowing:
                def visible(entry: QueueEntry) -> bool:
                    return narrowing.matches(entry) and (
                        may_see_entry is None or may_see_entry(entry))
            index = self._indexes.get((scope, status, theme))
            if index is None:
                return Page([], 0)
            if sort == "deadline":
                return index.nearest_deadline_first(overdue, now.timestamp(), offset, limit,
                                                    visible)
            return index.page(overdue, now.timestamp(), offset, limit, visible, after)

    def _scope(self, reader: tuple[str, str] | None
               ) -> tuple[str | None, Callable[[QueueEntry], bool] | None]:
        """The index a reader's page comes from, and the rule's check where the index
        alone does not settle it (a reader some meldingen exclude)."""
        if reader is None:
            return None, None
        role, sub = reader
        scope = None if is_allowed(role, "melding.read_all") else normalised(sub)
        if self._exclusions.get(normalised(sub)):
            return scope, lambda entry: may_see(role, sub, entry.parties)
        return scope, None

    def __len__(self) -> int:
        return len(self._entries)
