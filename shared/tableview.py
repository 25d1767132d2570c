"""A stored view whose rows are its own tables (`shared.viewstore`): a commit's events
change them in one transaction, each question is a query, and nothing is held in
memory, so there is nothing to dump, mark or restore; a start reads no row and only
the events after the stored views' position (issue 23)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import sqlalchemy
from sqlalchemy import MetaData, StaticPool

from shared.viewstore import Row


def in_memory() -> sqlalchemy.Engine:
    """A database of its own, for a view no service stores (unit tests)."""
    return sqlalchemy.create_engine("sqlite://", poolclass=StaticPool,
                                    connect_args={"check_same_thread": False})


class TableView:
    #: Its position's name in `shared.viewstore`.
    name: str

    def __init__(self, metadata: MetaData, engine: sqlalchemy.Engine | None = None) -> None:
        self._engine = engine or in_memory()
        metadata.create_all(self._engine)
        self._lock = threading.Lock()  # one commit's read-change-write at a time

    def apply(self, event: Any) -> None:
        self.apply_all([event])

    def apply_all(self, events: Iterable[Any]) -> None:
        mine = [e for e in events if self.takes(e)]
        if mine:
            with self._lock, self._engine.begin() as connection:
                self.write(connection, mine)

    def takes(self, event: Any) -> bool:
        raise NotImplementedError

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        """The rows as `events` (those it takes, in order) leave them; applying them
        again must leave the rows as they are."""
        raise NotImplementedError

    def dump(self) -> dict[str, Row | None]:
        return {}

    def mark(self, keys: Iterable[str]) -> None:
        """Nothing is held back to flush again."""

    def restore(self, rows: Iterable[Row]) -> None:
        """Nothing to load: each question reads the tables."""
