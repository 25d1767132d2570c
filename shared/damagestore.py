"""The damage register kept in the service's own store, beside its events: the damaged
events found, and how far the background sweep has checked the store (issue 23), so
that a start resumes the sweep instead of reading the whole history again, and a
damaged event found before the restart is still named after it (`shared.damage`)."""

from __future__ import annotations

import time

import sqlalchemy
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from shared.damage import SweepState


class DamageStore:
    """Tables `<store>_damaged` (originator id, version) and `<store>_damage_sweep` (one
    row: the position checked up to, and when the last sweep of the whole store ended;
    null while one is under way)."""

    def __init__(self, engine: sqlalchemy.Engine, store: str) -> None:
        self.engine = engine
        metadata = MetaData()
        self.damaged = Table(f"{store}_damaged", metadata,
                             Column("originator_id", String(64), primary_key=True),
                             Column("version", Integer, primary_key=True))
        self.sweep = Table(f"{store}_damage_sweep", metadata,
                           Column("id", Integer, primary_key=True, autoincrement=False),
                           Column("position", Integer, nullable=False),
                           Column("completed_at", Float, nullable=True))
        metadata.create_all(engine)

    def found(self) -> list[tuple[str, int]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(self.damaged.c.originator_id,
                                             self.damaged.c.version)).all()
        return [(str(row[0]), int(row[1])) for row in rows]

    def add(self, originator_id: str, version: int) -> None:
        """Kept once, however many processes find it."""
        try:
            with self.engine.begin() as connection:
                connection.execute(self.damaged.insert().values(originator_id=originator_id,
                                                                version=version))
        except IntegrityError:
            pass  # already kept

    def remove(self, originator_id: str, version: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.damaged.delete().where(
                self.damaged.c.originator_id == originator_id,
                self.damaged.c.version == version))

    def state(self) -> SweepState:
        with self.engine.connect() as connection:
            row = connection.execute(select(self.sweep.c.position,
                                            self.sweep.c.completed_at)).first()
        if row is None:
            return SweepState(0, None)
        return SweepState(int(row[0]), None if row[1] is None else float(row[1]))

    def checked(self, position: int, *, completed: bool = False) -> None:
        """The store is checked up to `position`; it only moves forward (replicas
        sweep the same store). `completed`: a sweep of the whole store ended now."""
        values: dict[str, object] = {"position": position}
        if completed:
            values["completed_at"] = time.time()
        with self.engine.begin() as connection:
            done = connection.execute(self.sweep.update().where(
                self.sweep.c.position <= position).values(**values))
            if done.rowcount == 0 and connection.execute(
                    select(self.sweep.c.id)).first() is None:
                try:
                    with connection.begin_nested():
                        connection.execute(self.sweep.insert().values(id=1, **values))
                except IntegrityError:
                    pass  # another replica's row: its position is ahead or equal

    def begin_again(self) -> None:
        """A sweep of the whole store from its start (the last one ended long ago)."""
        with self.engine.begin() as connection:
            connection.execute(self.sweep.update().values(position=0, completed_at=None))
