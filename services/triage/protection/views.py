"""The protection check-ins due: the closed meldingen that protect someone and have had
no check-in since their (latest) closing, as rows in triage's own database (one per
melding that protects someone or closed), `waiting` an indexed column. A commit's
events change their rows in one transaction (`shared.viewstore`: its position is the
stored views'), so a start reads no row and no history (issue 23). A reopening takes
a melding off the list until it closes again; a shredded one leaves it.

Each event sets one field to a value of its own, so applying the events after the
stored position again, in order, leaves every row as it was: the apply is idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, select

from services.triage.domain.report import Report
from services.triage.domain.retention import Retained
from services.triage.protection.domain.protection import Protection
from shared.tableview import TableView
from shared.terms import check_in_due

metadata = MetaData()
rows = Table(
    "triage_follow_up", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("protects", Boolean, nullable=False),
    Column("closed_at", String(40)),
    Column("checked_in_at", String(40)),
    Column("shredded", Boolean, nullable=False),
    # Due moments follow the closing in the same order (`check_in_due` adds a fixed
    # term), so the waiting rows are read in the order of their closing.
    Column("waiting", Boolean, nullable=False),
    Column("closed_us", sqlalchemy.BigInteger),
    Index("triage_follow_up_waiting", "waiting", "closed_us", "melding_id"),
)


@dataclass
class _Melding:
    protects: bool = False
    closed_at: datetime | None = None
    checked_in_at: datetime | None = None
    shredded: bool = False

    @property
    def waiting(self) -> bool:
        return (self.protects and not self.shredded and self.closed_at is not None
                and (self.checked_in_at is None or self.checked_in_at < self.closed_at))


@dataclass(frozen=True)
class CheckInDue:
    melding_id: UUID
    closed_at: datetime
    due_by: datetime


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _change(meldingen: dict[UUID, _Melding], event: Any) -> None:
    if isinstance(event, Protection.PersonProtected):
        meldingen.setdefault(event.melding_id, _Melding()).protects = True
    elif isinstance(event, Protection.CheckedIn):
        meldingen.setdefault(event.melding_id, _Melding()).checked_in_at = event.at
    elif isinstance(event, Report.Closed):
        meldingen.setdefault(event.originator_id, _Melding()).closed_at = event.at
    elif isinstance(event, Report.Reopened):
        meldingen.setdefault(event.originator_id, _Melding()).closed_at = None
    elif isinstance(event, Retained.Shredded):
        meldingen.setdefault(event.originator_id, _Melding()).shredded = True


def _melding_of(event: Any) -> UUID | None:
    if isinstance(event, (Protection.PersonProtected, Protection.CheckedIn)):
        melding_id: UUID = event.melding_id
        return melding_id
    if isinstance(event, (Report.Closed, Report.Reopened, Retained.Shredded)):
        return event.originator_id  # type: ignore[no-any-return]
    return None


class FollowUp(TableView):
    name = "follow_up"  # its position in `shared.viewstore`

    def __init__(self, within_days: int, engine: sqlalchemy.Engine | None = None) -> None:
        super().__init__(metadata, engine)
        self.within_days = within_days

    def takes(self, event: Any) -> bool:
        return _melding_of(event) is not None

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        ids = {str(_melding_of(e)) for e in events}
        meldingen = {UUID(row.melding_id): _Melding(
            row.protects, _time(row.closed_at), _time(row.checked_in_at), row.shredded)
            for row in connection.execute(select(rows).where(
                rows.c.melding_id.in_(ids)))}
        for event in events:
            _change(meldingen, event)
        connection.execute(rows.delete().where(rows.c.melding_id.in_(ids)))
        connection.execute(rows.insert(), [{
            "melding_id": str(melding_id), "protects": m.protects,
            "closed_at": m.closed_at and m.closed_at.isoformat(),
            "checked_in_at": m.checked_in_at and m.checked_in_at.isoformat(),
            "shredded": m.shredded, "waiting": m.waiting,
            "closed_us": m.closed_at and round(m.closed_at.timestamp() * 1_000_000)}
            for melding_id, m in meldingen.items()])

    def due(self) -> list[CheckInDue]:
        """Every check-in waiting, the nearest term first."""
        with self._engine.connect() as connection:
            waiting = connection.execute(
                select(rows.c.melding_id, rows.c.closed_at).where(rows.c.waiting)
                .order_by(rows.c.closed_us, rows.c.melding_id)).all()
        return [CheckInDue(UUID(melding_id), closed_at := datetime.fromisoformat(text),
                           check_in_due(closed_at, self.within_days))
                for melding_id, text in waiting]

    def due_by(self, melding_id: UUID) -> datetime | None:
        """The term of the melding's check-in, while one waits."""
        with self._engine.connect() as connection:
            closed_at = connection.execute(select(rows.c.closed_at).where(
                rows.c.melding_id == str(melding_id), rows.c.waiting)).scalar()
        return None if closed_at is None else check_in_due(
            datetime.fromisoformat(closed_at), self.within_days)
