"""The closed meldingen retention walks, and the meldingen under a legal hold, as rows
in triage's own database: one per melding closed or held, with the day it closed (on
the organisation's calendar) and its outcome as indexed columns. A check asks, per
outcome, for the rows closed on or before the last day whose term has passed; nothing
is held in memory and a start reads no row (issue 23). A row holds no content.

A commit's events change their rows in one transaction (`shared.viewstore`: its
position is the stored views'). Each event sets a field to a value of its own, so
applying the events after the stored position again leaves the rows as they were."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, select

from services.triage.domain.report import Report
from services.triage.domain.retention import Retained, closing_outcome
from shared.retention import MeldingRetention, RetentionTerms, due_for_shredding
from shared.tableview import TableView
from shared.terms import local_date

metadata = MetaData()
rows = Table(
    "triage_closed", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("held", Boolean, nullable=False),
    Column("closed_at", String(40)),
    Column("closed_on", String(10)),  # ISO: ordered as the days are
    Column("outcome", String(64)),
    Index("triage_closed_due", "held", "outcome", "closed_on"),
)
_EVENTS = (Report.Closed, Report.Reopened, Retained.Shredded, Retained.HoldPlaced,
           Retained.HoldLifted)


@dataclass
class _Melding:
    held: bool = False
    closed_at: datetime | None = None
    outcome: Any = None


def _change(meldingen: dict[str, _Melding], event: Any) -> None:
    melding = meldingen.setdefault(str(event.originator_id), _Melding())
    if isinstance(event, Report.Closed):
        melding.closed_at = event.at
        melding.outcome = getattr(event, "outcome", None) or closing_outcome(event.reason)
    elif isinstance(event, (Report.Reopened, Retained.Shredded)):
        melding.closed_at = melding.outcome = None
    elif isinstance(event, Retained.HoldPlaced):
        melding.held = True
    elif isinstance(event, Retained.HoldLifted):
        melding.held = False


class ClosedMeldingen(TableView):
    """Whether one is due is `shared.retention`'s rule; the query only narrows the rows
    to those that may be (a day's margin, should the calendar's zone change), and the
    aggregate checks it again."""

    name = "closed_table"  # its position in `shared.viewstore`

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        super().__init__(metadata, engine)

    def takes(self, event: Any) -> bool:
        return isinstance(event, _EVENTS)

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        ids = {str(e.originator_id) for e in events}
        meldingen = {row.melding_id: _Melding(
            row.held, None if row.closed_at is None else datetime.fromisoformat(
                row.closed_at), row.outcome)
            for row in connection.execute(select(rows).where(rows.c.melding_id.in_(ids)))}
        for event in events:
            _change(meldingen, event)
        connection.execute(rows.delete().where(rows.c.melding_id.in_(ids)))
        kept = [{"melding_id": melding_id, "held": m.held,
                 "closed_at": m.closed_at and m.closed_at.isoformat(),
                 "closed_on": m.closed_at and local_date(m.closed_at).isoformat(),
                 "outcome": m.outcome}
                for melding_id, m in meldingen.items() if m.held or m.closed_at]
        if kept:
            connection.execute(rows.insert(), kept)

    def due(self, day: date, terms: RetentionTerms) -> list[UUID]:
        meldingen: list[MeldingRetention] = []
        with self._engine.connect() as connection:
            for outcome, days in terms.days.items():
                last = day - timedelta(days=days) + timedelta(days=1)
                meldingen.extend(
                    MeldingRetention(melding_id, closed_at=datetime.fromisoformat(at),
                                     outcome=outcome)
                    for melding_id, at in connection.execute(
                        select(rows.c.melding_id, rows.c.closed_at).where(
                            ~rows.c.held, rows.c.outcome == outcome,
                            rows.c.closed_on <= last.isoformat())
                        .order_by(rows.c.closed_on, rows.c.melding_id)))
        return [UUID(m.melding_id) for m in due_for_shredding(meldingen, day, terms)]
