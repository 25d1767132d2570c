"""The meldingen whose files are due to leave the files stream and have not yet
(`services.triage.domain.purges`), as rows in triage's own database: one per purge
due, gone once it is done. A commit's events change them in one transaction
(`shared.viewstore`: its position is the stored views'), so a start reads no row and
no history (issue 23); applying the events after that position again changes
nothing (a due purge is written whole, a done one deleted)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Column, MetaData, String, Table, select

from services.triage.domain.purges import FilesPurge
from shared.tableview import TableView

metadata = MetaData()
rows = Table(
    "triage_purges_due", metadata,
    Column("purge_id", String(36), primary_key=True),
    Column("melding_id", String(36), nullable=False, index=True),
)


class PendingPurges(TableView):
    name = "purges_table"  # its position in `shared.viewstore`

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        super().__init__(metadata, engine)

    def takes(self, event: Any) -> bool:
        return isinstance(event, FilesPurge.Due | FilesPurge.Purged)

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        changes: dict[str, str | None] = {  # the purge's id -> its melding's, or done
            str(e.originator_id): str(e.melding_id) if isinstance(e, FilesPurge.Due) else None
            for e in events}
        connection.execute(rows.delete().where(rows.c.purge_id.in_(changes)))
        due = [{"purge_id": purge, "melding_id": melding}
               for purge, melding in changes.items() if melding is not None]
        if due:
            connection.execute(rows.insert(), due)

    def meldingen(self) -> list[UUID]:
        with self._engine.connect() as connection:
            return [UUID(m) for m in connection.execute(select(rows.c.melding_id)).scalars()]

    def __contains__(self, melding_id: UUID) -> bool:
        with self._engine.connect() as connection:
            return connection.execute(select(rows.c.purge_id).where(
                rows.c.melding_id == str(melding_id)).limit(1)).first() is not None
