"""Which of the reporter's files a case decided the old way still lacks
(`services.triage.files.backfill`), as rows in triage's own database: the reporter's
files in the order they came, per melding, and per such decision how many of them it
came after. A commit's events change them in one transaction (`shared.viewstore`: its
position is the stored views'), so a start reads no row and no history (issue 23).

Applying the events after the stored position again changes nothing: a file already
listed keeps its place, a share is a flag, and a decision keeps the smaller count of
files before it (a start that rebuilt the rows from every event and stopped half way
finds the files that came after the decision already listed)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, func, select

from services.triage.domain.report import Report
from services.triage.files.domain.files import MeldingFiles
from shared.contracts import opens_case
from shared.tableview import TableView

metadata = MetaData()
file_rows = Table(
    "triage_backfill_files", metadata,
    Column("attachment_id", String(64), primary_key=True),
    Column("melding_id", String(36), nullable=False),
    Column("place", Integer, nullable=False),  # the reporter's files before it
    Column("shared", Boolean, nullable=False),
    Index("triage_backfill_files_melding", "melding_id", "place"),
)
case_rows = Table(
    "triage_backfill_cases", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("before", Integer, nullable=False),  # the reporter's files at the decision
)


def _old_decision(e: Any) -> bool:
    return (isinstance(e, Report.Decided) and opens_case(e.outcome)
            and not getattr(e, "files_listed", False))


class Unshared(TableView):
    """Per melding decided the old way into a case: its reporter's files from before
    the decision that are not shared yet."""

    name = "backfill_table"  # its position in `shared.viewstore`

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        super().__init__(metadata, engine)

    def takes(self, event: Any) -> bool:
        return (_old_decision(event) or isinstance(event, MeldingFiles.Shared)
                or (isinstance(event, MeldingFiles.Received) and event.sender == "reporter"))

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        meldingen = {str(e.melding_id if isinstance(e, MeldingFiles.Received)
                         else e.originator_id)
                     for e in events if not isinstance(e, MeldingFiles.Shared)}
        known = set(connection.execute(select(file_rows.c.attachment_id).where(
            file_rows.c.melding_id.in_(meldingen))).scalars())
        counts: Counter[str] = Counter(dict(connection.execute(
            select(file_rows.c.melding_id, func.count()).where(
                file_rows.c.melding_id.in_(meldingen)).group_by(file_rows.c.melding_id)
        ).tuples().all()))
        cases = dict(connection.execute(select(case_rows.c.melding_id, case_rows.c.before)
                                        .where(case_rows.c.melding_id.in_(meldingen))
                                        ).tuples().all())
        new_files: list[dict[str, Any]] = []
        shared: set[str] = set()
        decided: dict[str, int] = {}
        for e in events:
            if isinstance(e, MeldingFiles.Received):
                melding = str(e.melding_id)
                if e.attachment_id not in known:
                    known.add(e.attachment_id)
                    new_files.append({"attachment_id": e.attachment_id,
                                      "melding_id": melding,
                                      "place": counts[melding], "shared": False})
                    counts[melding] += 1
            elif isinstance(e, MeldingFiles.Shared):
                shared.add(e.attachment_id)
            else:
                melding = str(e.originator_id)
                decided[melding] = min(cases.get(melding, counts[melding]),
                                       counts[melding])
        if new_files:
            connection.execute(file_rows.insert(), new_files)
        if shared:
            connection.execute(file_rows.update().where(
                file_rows.c.attachment_id.in_(shared)).values(shared=True))
        if decided:
            connection.execute(case_rows.delete().where(
                case_rows.c.melding_id.in_(decided)))
            connection.execute(case_rows.insert(), [
                {"melding_id": m, "before": n} for m, n in decided.items()])

    def due(self) -> dict[UUID, list[str]]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(file_rows.c.melding_id, file_rows.c.attachment_id)
                .join(case_rows, case_rows.c.melding_id == file_rows.c.melding_id)
                .where(file_rows.c.place < case_rows.c.before, ~file_rows.c.shared)
                .order_by(file_rows.c.melding_id, file_rows.c.place)).all()
        due: dict[UUID, list[str]] = {}
        for melding_id, attachment_id in rows:
            due.setdefault(UUID(melding_id), []).append(attachment_id)
        return due

    def forget(self, melding_id: UUID) -> None:
        with self._engine.begin() as connection:
            connection.execute(case_rows.delete().where(
                case_rows.c.melding_id == str(melding_id)))
