"""The queue's parts: a melding's entry (its summary as the queue keeps it), the
filters no index holds (`Narrowing`), a page, and one index of a filter combination,
in order of receipt with the moments its meldingen turn overdue (`services.triage.views`
keeps one per combination)."""

from __future__ import annotations

import heapq
import math
import re
import sys
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Literal
from uuid import UUID

from services.triage.domain.procedure import Status
from shared.authz import MeldingParties
from shared.contracts import RecordStatus, Severity
from shared.terms import Deadlines, overdue_from

Key = tuple[datetime, UUID]  # (received_at, id): oldest first, ties broken by id
#: (competent authority or None for all, status or None, theme or None)
IndexName = tuple[str | None, str | None, str | None]
Keep = Literal["keep"]


@dataclass(slots=True)  # 100,000 of them live in memory
class QueueEntry:
    id: UUID
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: Status
    received_at: datetime
    acknowledged_at: datetime | None
    deadlines: Deadlines
    feedback_at: datetime | None = None
    overdue_from: datetime | None = None
    #: `overdue_from` as a number (infinity for never), for the fast `overdue` filter
    overdue_ts: float = math.inf
    authority: str | None = None  # the assigned competent authority
    routed: bool = False
    flagged: bool = False  # for the meldpunt to assign a competent authority by hand
    excluded: tuple[str, ...] = ()  # concerned and recused, normalised
    record_status: RecordStatus | None = None  # of an oral or in-person melding's record
    meeting_due_by: datetime | None = None  # the term of an open request to meet
    severity: Severity | None = None  # from the assessment
    reply_unread: bool = False  # a reporter's reply the meldpunt has not opened since
    last_reply_at: datetime | None = None
    read_up_to: datetime | None = None  # the latest reply the meldpunt has opened since
    #: the description's words, case-folded, for the search (kept in this process only;
    #: a tuple of interned strings: a frozenset each cost ~1 KiB more at 100,000)
    words: tuple[str, ...] = ()
    shredded_at: datetime | None = None  # when its retention term ended: no words then
    #: the term of the closing feedback the meldpunt owes (None: none due)
    closing_feedback_due_by: datetime | None = None

    @property
    def parties(self) -> MeldingParties:
        return MeldingParties(self.authority, self.excluded)

    @property
    def key(self) -> Key:
        return (self.received_at, self.id)

    def overdue(self, now: datetime) -> bool:
        return self.overdue_ts < now.timestamp()

    def refresh(self) -> None:
        self.overdue_from = overdue_from(self.deadlines, self.acknowledged_at, self.feedback_at)
        self.overdue_ts = self.overdue_from.timestamp() if self.overdue_from else math.inf


def words_of(text: str) -> frozenset[str]:
    """The words a search matches: case-folded runs of letters and digits."""
    return frozenset(re.findall(r"\w+", text.casefold()))


def kept_words(text: str) -> tuple[str, ...]:
    """A description's words as an entry keeps them: each distinct word once, shared
    by every entry that holds it."""
    return tuple(sys.intern(word) for word in words_of(text))


@dataclass(frozen=True)
class Narrowing:
    """The filters no index holds: each one set must match; `words` must all occur in
    the description."""

    kind: str | None = None
    channel: str | None = None
    severity: str | None = None
    reply_unread: bool | None = None
    flagged: bool | None = None
    closing_feedback_due: bool | None = None
    words: frozenset[str] = frozenset()

    def matches(self, entry: QueueEntry) -> bool:
        return (all(value is None or getattr(entry, name) == value for name, value in (
            ("kind", self.kind), ("channel", self.channel), ("severity", self.severity),
            ("reply_unread", self.reply_unread), ("flagged", self.flagged)))
            and self.closing_feedback_due in (None, entry.closing_feedback_due_by is not None)
            and all(word in entry.words for word in self.words))

    def __bool__(self) -> bool:
        return self != Narrowing()


@dataclass(frozen=True)
class Page:
    entries: list[QueueEntry]
    total: int
    more: bool | None = None  # keyset paging: whether meldingen follow this page


@dataclass
class _Index:
    """The meldingen of one filter combination: in order of receipt (keys and entries
    side by side), and the moments they turn overdue, sorted (to count in O(log n))."""

    keys: list[Key] = field(default_factory=list)
    entries: list[QueueEntry] = field(default_factory=list)
    overdue_moments: list[float] = field(default_factory=list)

    def insert(self, entry: QueueEntry) -> None:
        key = entry.key
        if not self.keys or self.keys[-1] < key:
            self.keys.append(key)  # the usual case: meldingen arrive in order
            self.entries.append(entry)
        else:
            position = bisect_left(self.keys, key)
            self.keys.insert(position, key)
            self.entries.insert(position, entry)
        insort(self.overdue_moments, entry.overdue_ts)

    def remove(self, entry: QueueEntry) -> None:
        position = bisect_left(self.keys, entry.key)
        if position < len(self.keys) and self.keys[position] == entry.key:
            del self.keys[position]
            del self.entries[position]
            self.forget_moment(entry.overdue_ts)

    def forget_moment(self, moment: float) -> None:
        position = bisect_left(self.overdue_moments, moment)
        if position < len(self.overdue_moments) and self.overdue_moments[position] == moment:
            del self.overdue_moments[position]

    def page(self, overdue: bool | None, moment: float, offset: int, limit: int,
             visible: Callable[[QueueEntry], bool] | None = None,
             after: Key | None = None) -> Page:
        if after is not None:
            return self._after(after, overdue, moment, limit, visible)
        if visible is not None:  # the slow walk, for a reader some meldingen exclude
            seen = [e for e in self.entries if visible(e)
                    and (overdue is None or (e.overdue_ts < moment) is overdue)]
            return Page(seen[offset : offset + limit], len(seen))
        if overdue is None:
            return Page(self.entries[offset : offset + limit], len(self.entries))
        total = self._count(overdue, moment)
        wanted = max(0, min(limit, total - offset))
        if wanted == 0:
            return Page([], total)
        # Walk from the nearer end and stop as soon as the page is full.
        behind = total - offset - wanted
        if offset <= behind:
            matching = (e for e in self.entries if (e.overdue_ts < moment) is overdue)
            return Page(list(islice(matching, offset, offset + wanted)), total)
        matching = (e for e in reversed(self.entries) if (e.overdue_ts < moment) is overdue)
        return Page(list(islice(matching, behind, behind + wanted))[::-1], total)

    def _count(self, overdue: bool, moment: float) -> int:
        late = bisect_left(self.overdue_moments, moment)  # how many are overdue by now
        return late if overdue else len(self.entries) - late

    def _after(self, after: Key, overdue: bool | None, moment: float, limit: int,
               visible: Callable[[QueueEntry], bool] | None) -> Page:
        """Keyset paging: the page after the melding `after`, found by its key in
        O(log n) however deep, then walked until full (one more, to know if any follow)."""
        def wanted(e: QueueEntry) -> bool:
            return ((visible is None or visible(e))
                    and (overdue is None or (e.overdue_ts < moment) is overdue))

        start = bisect_right(self.keys, after)
        following = (self.entries[i] for i in range(start, len(self.entries)))
        entries = list(islice(filter(wanted, following), limit + 1))
        if visible is not None:
            total = sum(1 for e in self.entries if wanted(e))
        else:
            total = len(self.entries) if overdue is None else self._count(overdue, moment)
        return Page(entries[:limit], total, more=len(entries) > limit)

    def nearest_deadline_first(self, overdue: bool | None, moment: float, offset: int,
                               limit: int, visible: Callable[[QueueEntry], bool] | None
                               ) -> Page:
        """The page in order of the moment each melding turns (or turned) overdue,
        those with every term met last; ties in order of receipt."""
        seen = [e for e in self.entries if (visible is None or visible(e))
                and (overdue is None or (e.overdue_ts < moment) is overdue)]
        nearest = heapq.nsmallest(offset + limit, seen, key=lambda e: (e.overdue_ts, e.key))
        return Page(nearest[offset:], len(seen))
