"""A page of the queue read from its rows (`services.triage.adapters.queue_table`): each filter
a condition on its indexed column, the reader's need-to-know as `shared.authz` states
it (`visibility`), the order of receipt or of the nearest deadline, and a cursor
that seeks to the melding after which the page starts, however deep."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true

from services.triage.adapters.queue_parts import Key, Narrowing, Page
from services.triage.adapters.queue_table import (
    excluded_rows,
    json_entry,
    melding_rows,
    micros,
    word_digest,
    word_rows,
)
from shared.authz import visibility
from shared.contracts import QueueSort

q = melding_rows.c


def conditions(*, status: str | None, theme: str | None, overdue: bool | None,
               now: datetime, reader: tuple[str, str] | None,
               narrowing: Narrowing) -> list[ColumnElement[bool]]:
    """Which rows match: every filter set, and what the reader may see."""
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
            word_rows.c.word == word_digest(word))))
    if reader is not None:
        where.append(seen_by(*reader))
    return where


def seen_by(role: str, sub: str) -> ColumnElement[bool]:
    """`shared.authz.may_see` as a condition on the rows: a queue row names no
    investigator, so `investigating` sees none of them here."""
    rule = visibility(role, sub)
    scope: ColumnElement[bool] = false()  # "none", and "investigating"
    if rule.scope == "all":
        scope = true()
    elif rule.scope == "assigned":
        scope = q.authority == rule.unless_excluding
    excluding = exists().where(excluded_rows.c.melding_id == q.id,
                               excluded_rows.c.sub == rule.unless_excluding)
    return and_(scope, ~excluding)


def page(connection: sqlalchemy.Connection, where: list[ColumnElement[bool]], *,
         offset: int, limit: int, sort: QueueSort, after: Key | None) -> Page:
    total = connection.execute(select(func.count()).select_from(melding_rows)
                               .where(*where)).scalar_one()
    order: list[Any] = [q.received_us, q.id]
    if sort == "deadline":
        order.insert(0, q.overdue_ts)
    chosen = select(q.entry).where(*where).order_by(*order)
    if after is None:
        texts = connection.execute(chosen.offset(offset).limit(limit)).scalars().all()
        return Page([json_entry(text) for text in texts], total)
    received_us, melding_id = micros(after[0].astimezone(UTC)), str(after[1])
    chosen = chosen.where(or_(q.received_us > received_us, and_(
        q.received_us == received_us, q.id > melding_id)))
    texts = connection.execute(chosen.limit(limit + 1)).scalars().all()
    return Page([json_entry(text) for text in texts[:limit]], total,
                more=len(texts) > limit)
