"""A page of the queue read from its rows (`services.triage.adapters.queue_table`): each filter
a condition on its indexed column, the reader's need-to-know as `shared.authz` states
it (`visibility`), the order of receipt or of the nearest deadline, and a cursor
that seeks to the melding after which the page starts, however deep."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true

from services.triage.adapters import queue_table
from services.triage.adapters.queue_parts import Key, Narrowing, Page
from services.triage.adapters.queue_table import (
    excluded_rows,
    melding_rows,
    micros,
    word_digest,
    word_rows,
)
from shared.authz import visibility
from shared.contracts import QueueSort
from shared.names import normalised

q = melding_rows.c


def conditions(*, status: str | None, theme: str | None, overdue: bool | None,
               now: datetime, reader: tuple[str, str] | None,
               narrowing: Narrowing, words_key: bytes,
               excluded: bool = True) -> list[ColumnElement[bool]]:
    """Which rows match: every filter set, and what the reader may see. `excluded`:
    False when no melding excludes the reader (`excluded_anywhere`), so that no row
    needs that look-up."""
    where: list[ColumnElement[bool]] = []
    for column, value in (("status", status), ("theme", theme), ("kind", narrowing.kind),
                          ("channel", narrowing.channel), ("severity", narrowing.severity),
                          ("reply_unread", narrowing.reply_unread),
                          ("flagged", narrowing.flagged),
                          ("closing_due", narrowing.closing_feedback_due)):
        if value is not None:
            where.append(q[column] == value)
    if overdue is not None:
        moment = now.timestamp()
        where.append(q.overdue_ts < moment if overdue else q.overdue_ts >= moment)
    for word in sorted(narrowing.words):
        where.append(q.id.in_(select(word_rows.c.melding_id).where(
            word_rows.c.word == word_digest(word, words_key))))
    if reader is not None:
        where.append(seen_by(*reader, excluded=excluded))
    return where


_EXCLUDING = select(excluded_rows.c.melding_id).where(
    excluded_rows.c.sub == sqlalchemy.bindparam("sub")).limit(1)  # built once: every page asks


def excluded_anywhere(connection: sqlalchemy.Connection, sub: str) -> bool:
    """Whether any melding excludes this sub (concerned in it, or recused)."""
    return connection.execute(_EXCLUDING, {"sub": normalised(sub)}).first() is not None


def seen_by(role: str, sub: str, *, excluded: bool = True) -> ColumnElement[bool]:
    """`shared.authz.may_see` as a condition on the rows: a queue row names no
    investigator, so `investigating` sees none of them here."""
    rule = visibility(role, sub)
    scope: ColumnElement[bool] = false()  # "none", and "investigating"
    if rule.scope == "all":
        scope = true()
    elif rule.scope == "assigned":
        scope = q.authority == rule.unless_excluding
    if not excluded:
        return scope
    excluding = exists().where(excluded_rows.c.melding_id == q.id,
                               excluded_rows.c.sub == rule.unless_excluding)
    return and_(scope, ~excluding)


def total(connection: sqlalchemy.Connection, *, status: str | None, theme: str | None,
          overdue: bool | None, now: datetime, reader: tuple[str, str] | None,
          narrowing: Narrowing) -> int | None:
    """How many match, from the counts (`queue_table.count_rows`) where no narrower
    filter is set: what only the rows know is counted in ranges that do not grow with
    history (the meldingen with a term still to come, and those the reader is
    excluded from). None: count the rows."""
    if any(value is not None for value in (
            narrowing.kind, narrowing.channel, narrowing.severity, narrowing.reply_unread,
            narrowing.flagged, narrowing.closing_feedback_due)) or narrowing.words:
        return None
    scope, unless = "", None
    if reader is not None:
        rule = visibility(*reader)
        if rule.scope in ("none", "investigating"):
            return 0  # a queue row names no investigator
        scope = "" if rule.scope == "all" else rule.unless_excluding
        unless = rule.unless_excluding
    combination = [q[name] == value for name, value in (("status", status), ("theme", theme))
                   if value is not None]
    if scope:
        combination.append(q.authority == scope)
    status_key, theme_key = status or "", theme or ""
    if overdue is None:
        n = queue_table.count(connection, scope, status_key, theme_key, None)
        late: list[ColumnElement[bool]] = []
    else:
        moment = now.timestamp()
        pending = count_rows(connection, [*combination, q.overdue_ts >= moment,
                                      q.overdue_ts < queue_table.NEVER])
        n = (queue_table.count(connection, scope, status_key, theme_key, False) - pending
             if overdue else
             queue_table.count(connection, scope, status_key, theme_key, True) + pending)
        late = [q.overdue_ts < moment if overdue else q.overdue_ts >= moment]
    if unless is not None:
        # From the reader's few exclusions to their rows (by key), not from every row.
        excluding = connection.execute(select(excluded_rows.c.melding_id).where(
            excluded_rows.c.sub == unless)).scalars().all()
        for start in range(0, len(excluding), 500):
            n -= count_rows(connection, [*combination, *late,
                                     q.id.in_(excluding[start:start + 500])])
    return n


def count_rows(connection: sqlalchemy.Connection, where: list[ColumnElement[bool]]) -> int:
    """How many rows match, counted: what the counts do not hold."""
    return int(connection.execute(select(func.count()).select_from(melding_rows)
                                  .where(*where)).scalar_one())


_NEXT_TERM = select(func.min(q.overdue_ts)).where(
    q.overdue_ts >= sqlalchemy.bindparam("moment"))  # built once: every page read asks


def next_term(connection: sqlalchemy.Connection, moment: float) -> float:
    """The first moment (timestamp) from `moment` on at which a term in the whole
    queue passes (the `overdue` filter, its total and the items' `overdue` change
    then; one seek of `triage_queue_overdue`)."""
    nearest = connection.execute(_NEXT_TERM, {"moment": moment}).scalar()
    return math.inf if nearest is None or nearest >= queue_table.NEVER else float(nearest)


def until(next_term: float, moment: float, rows: list[dict[str, Any]]) -> float:
    """The first moment from `moment` on at which a page read then could answer
    otherwise with no change to the rows: the queue's `next_term`, or a term of the
    page's own items that only the item shows (`meeting_overdue`,
    `closing_feedback_overdue`)."""
    moments = [next_term]
    for row in rows:
        for term in (row["meeting_due_by"], row["closing_feedback_due_by"]):
            if term is not None and (at := datetime.fromisoformat(term).timestamp()) >= moment:
                moments.append(at)
    return min(moments)


def page(connection: sqlalchemy.Connection, where: list[ColumnElement[bool]], *,
         offset: int, limit: int, sort: QueueSort, after: Key | None, total: int) -> Page:
    order: list[Any] = [q.received_us, q.id]
    if sort == "deadline":
        order.insert(0, q.overdue_ts)
    chosen = select(q.entry).where(*where).order_by(*order)
    if after is None:
        if offset:
            # The offset walks the order's index (its entries hold the id), and only the
            # page's rows are read: read for every skipped entry, the rows made the
            # middle page of 1,000,000 cost 22-36 ms of CPU in place of 17-21.
            walked = select(q.id).where(*where).order_by(*order).offset(offset).limit(limit)
            chosen = select(q.entry).where(q.id.in_(walked.scalar_subquery())).order_by(*order)
        texts = connection.execute(chosen.limit(limit)).scalars().all()
        return Page([orjson.loads(text) for text in texts], total)
    received_us, melding_id = micros(after[0].astimezone(UTC)), str(after[1])
    # The bound alone is what the index seeks on: with only the OR, SQLite scanned
    # the index from its start (34 ms at the middle of 1,000,000, 0.05 ms with it).
    chosen = chosen.where(q.received_us >= received_us, or_(
        q.received_us > received_us, and_(q.received_us == received_us, q.id > melding_id)))
    texts = connection.execute(chosen.limit(limit + 1)).scalars().all()
    return Page([orjson.loads(text) for text in texts[:limit]], total,
                more=len(texts) > limit)
