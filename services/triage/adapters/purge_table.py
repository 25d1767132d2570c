"""The meldingen whose files are due to leave the files stream and have not yet
(`services.triage.domain.purges`), as rows in triage's own database: one per purge
due, gone once it is done. A commit's events change them in one transaction
(`shared.viewstore`: its position is the stored views'), so a start reads no row and
no history (issue 23); applying the events after that position again changes
nothing (a due purge is written whole, a done one deleted)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Column, MetaData, String, Table, select

from services.triage.domain.purges import FilesPurge
from services.triage.views import in_memory
from shared.viewstore import Row

metadata = MetaData()
rows = Table(
    "triage_purges_due", metadata,
    Column("purge_id", String(36), primary_key=True),
    Column("melding_id", String(36), nullable=False, index=True),
)


class PendingPurges:
    name = "purges_table"  # its position in `shared.viewstore`

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        self._engine = engine or in_memory()
        metadata.create_all(self._engine)

    def apply(self, domain_event: Any) -> None:
        self.apply_all([domain_event])

    def apply_all(self, events: Iterable[Any]) -> None:
        changes: dict[str, str | None] = {}  # the purge's id -> its melding's, or done
        for e in events:
            if isinstance(e, FilesPurge.Due):
                changes[str(e.originator_id)] = str(e.melding_id)
            elif isinstance(e, FilesPurge.Purged):
                changes[str(e.originator_id)] = None
        if not changes:
            return
        with self._engine.begin() as connection:
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

    # -- as a stored view (`shared.viewstore`): the rows are written as they change ----

    def dump(self) -> dict[str, Row | None]:
        return {}

    def mark(self, keys: Iterable[str]) -> None:
        """Nothing is held back to flush again."""

    def restore(self, rows: Iterable[Row]) -> None:
        """Its rows are its own table's, read by each check: none to load."""
