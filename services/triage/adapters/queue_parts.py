"""The queue's parts: a melding's entry (its summary as the queue keeps it in its
row), the narrower filters (`Narrowing`), and a page."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from services.triage.domain.procedure import Status
from shared.authz import MeldingParties
from shared.contracts import RecordStatus, Severity
from shared.terms import Deadlines, overdue_from

Key = tuple[datetime, UUID]  # (received_at, id): oldest first, ties broken by id

#: An entry's times, as its row's summary holds them (ISO 8601 text).
TIMES = ("received_at", "acknowledged_at", "feedback_at", "overdue_from",
         "meeting_due_by", "last_reply_at", "read_up_to", "shredded_at",
         "closing_feedback_due_by")


@dataclass(slots=True)
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
    shredded_at: datetime | None = None  # when its retention term ended: no content then
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

    @classmethod
    def of_row(cls, stored: dict[str, Any]) -> QueueEntry:
        """The entry a row's summary holds (`queue_table.entry_json`, decoded). It does
        no more than it must: `overdue_ts` follows from the stored `overdue_from`
        (written after `refresh`), not from the terms again."""
        row = dict(stored)
        row["id"] = UUID(row["id"])
        fromisoformat = datetime.fromisoformat
        for name in TIMES:
            value = row[name]
            if value is not None:
                row[name] = fromisoformat(value)
        row["excluded"] = tuple(row["excluded"])
        acknowledge_by, feedback_by = row["deadlines"]
        row["deadlines"] = Deadlines(
            acknowledge_by=fromisoformat(acknowledge_by),
            feedback_by=None if feedback_by is None else fromisoformat(feedback_by))
        overdue = row["overdue_from"]
        return cls(**row, overdue_ts=math.inf if overdue is None else overdue.timestamp())

    def refresh(self) -> None:
        self.overdue_from = overdue_from(self.deadlines, self.acknowledged_at, self.feedback_at)
        self.overdue_ts = self.overdue_from.timestamp() if self.overdue_from else math.inf


def words_of(text: str) -> frozenset[str]:
    """The words a search matches: case-folded runs of letters and digits."""
    return frozenset(re.findall(r"\w+", text.casefold()))


@dataclass(frozen=True)
class Narrowing:
    """The filters beside status, theme and overdue: each one set must match; `words`
    must all occur in the description."""

    kind: str | None = None
    channel: str | None = None
    severity: str | None = None
    reply_unread: bool | None = None
    flagged: bool | None = None
    closing_feedback_due: bool | None = None
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Page:
    #: The page's rows as stored (`queue_table.entry_json`, decoded): what the page's
    #: JSON is written from (`services.triage.api.queue_json`) without making entries.
    rows: list[dict[str, Any]]
    total: int
    more: bool | None = None  # keyset paging: whether meldingen follow this page
    #: The queue's version it was read at (`Queue.version`): the same page, asked
    #: again while the version is the same, is the same answer until `until`.
    version: int = 0
    #: The first moment (a timestamp) at which this page's answer changes with the
    #: time alone: a term in the queue passes (`overdue`, the items' flags).
    until: float = math.inf

    @cached_property
    def entries(self) -> list[QueueEntry]:
        """The rows as entries, made when asked: a page sent as JSON needs none."""
        return [QueueEntry.of_row(row) for row in self.rows]
