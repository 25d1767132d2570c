"""The console's store of a long history, copied: one period of meldingen is seeded
through the console's own policies (`history.seed_consumer`), and its stored events and
view rows are then written again for every later melding with that melding's ids, in
large transactions. A copy is what the console writes for a melding with the same
history (`history.periodic`): the same events, encrypted by the store's own cipher, the
same rows; what differs is only the order of the notification log (each period's
events together) and the recording times. Its policies read back each aggregate they
write and its views write a row per event, 2.3 ms of CPU a melding through them: 38
minutes at 1,000,000, which a copy does in a few.

The ids a copy needs: the melding's own (`UUID(int=n + 1)`, as `bench.seed`), and those
the console derives from it (`uuid5` of a name with the melding id in it), taken from
the `uuid5` calls made while the period was seeded. A stored event whose aggregate id
was made any other way stops the copy: it could not be given its melding's id."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy
from eventsourcing.persistence import Tracking

from bench import history
from shared.config import Settings
from shared.eventstore import schema_of
from shared.recorders import InboxTracking

#: Meldingen seeded through the policies: a multiple of the history's cycles
#: (`history.STOPS`, every fourth melding's contact moment, every third anonymous).
PERIOD = 60
BATCH = 20_000
#: Tables a copy leaves alone: written once for the whole store, not per melding.
WHOLE_STORE = ("tracking", "chain", "view_positions", "counter", "outbox_epochs", "events")

Pairs = list[tuple[bytes, bytes]]


def seed_console(settings: Settings, meldingen: int) -> dict[str, Any]:
    """The console's store as its inbox leaves it after `meldingen` of `periodic`
    history, the first `PERIOD` taken in through its policies, the rest copied."""
    started, cpu = time.perf_counter(), time.process_time()
    with recorded_uuid5() as derived:
        done = history.seed_consumer(settings, "console", min(meldingen, PERIOD))
    parts, sources = history._parts(settings, "console")
    app = parts.application
    engine: sqlalchemy.Engine = app.recorder.datastore.engine
    events_table = app.recorder.events_record_cls.__table__
    tables = _view_tables(engine, schema_of(settings, "console"), events_table.name)
    with engine.connect() as connection:
        template = connection.execute(sqlalchemy.select(
            events_table.c.originator_id, events_table.c.originator_version,
            events_table.c.topic, events_table.c.state).order_by(events_table.c.id)).all()
        rows = {table: connection.execute(sqlalchemy.select(table)).all() for table in tables}
    melding_of = _meldingen_of(template, derived)
    mapper = app.mapper
    # Each template event opened once; each copy only changes its ids and seals it.
    opened = [(melding_of[row.originator_id], row,
               mapper.compressor.decompress(mapper.cipher.decrypt(row.state)))
              for row in template]
    view_rows = {table: [(_melding_in(row), row) for row in table_rows]
                 for table, table_rows in rows.items()}
    names = {n: [(made, namespace, name) for made, (namespace, name) in derived.items()
                 if _melding_id(n) in name] for n in range(PERIOD)}
    copied = 0
    step = PERIOD * max(1, BATCH // max(1, len(template)))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # the seeding's own connection only
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
        for chunk in range(PERIOD, meldingen, step):
            events: list[dict[str, Any]] = []
            views: dict[sqlalchemy.Table, list[dict[str, Any]]] = {t: [] for t in view_rows}
            for first in range(chunk, min(chunk + step, meldingen), PERIOD):
                pairs = {n: _pairs(n, first + n, names[n])
                         for n in range(min(PERIOD, meldingen - first))}
                events += [_copy_event(mapper, row, state, pairs[n])
                           for n, row, state in opened if n in pairs]
                for table, table_rows in view_rows.items():
                    views[table] += [_copy_row(row, pairs[n]) for n, row in table_rows
                                     if n in pairs]
            connection.execute(events_table.insert(), events)
            for table, copies in views.items():
                if copies:
                    connection.execute(table.insert(), copies)
            connection.commit()
            copied += len(events)
    _track_end(settings, app, sources, meldingen)
    _views_at_end(engine, app)
    done["copied_events"] = copied
    done["chained_copies"] = asyncio.run(history._chain_outbox(app))
    app.close()
    done.update(seconds=round(time.perf_counter() - started, 1),
                cpu_s=round(time.process_time() - cpu, 1))
    return done


@contextlib.contextmanager
def recorded_uuid5() -> Iterator[dict[uuid.UUID, tuple[uuid.UUID, str]]]:
    """Every `uuid5` made meanwhile, by id: (namespace, name). Modules that imported
    the function by name get the recording one too, and their own back after."""
    original = uuid.uuid5
    made: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}

    def uuid5(namespace: uuid.UUID, name: str) -> uuid.UUID:
        result = original(namespace, name)
        made[result] = (namespace, name)
        return result

    holders = [module for module in list(sys.modules.values())
               if getattr(module, "uuid5", None) is original]
    uuid.uuid5 = uuid5
    for module in holders:
        module.uuid5 = uuid5  # type: ignore[attr-defined]
    try:
        yield made
    finally:
        uuid.uuid5 = original
        for module in [*holders, *(m for m in list(sys.modules.values())
                                   if getattr(m, "uuid5", None) is uuid5)]:
            module.uuid5 = original  # type: ignore[attr-defined]


def _melding_id(n: int) -> str:
    return str(uuid.UUID(int=n + 1))


def _meldingen_of(template: Sequence[Any], derived: dict[uuid.UUID, tuple[uuid.UUID, str]]
                  ) -> dict[Any, int]:
    """Each stored aggregate's melding, from its id: the melding's own or made from it."""
    ids = {_melding_id(n): n for n in range(PERIOD)}
    owner: dict[Any, int] = {}
    for row in template:
        aggregate = uuid.UUID(str(row.originator_id))
        name = derived.get(aggregate, (None, ""))[1]
        found = [n for melding, n in ids.items() if melding == str(aggregate) or melding in name]
        if len(found) != 1:
            raise ValueError(f"aggregate {aggregate} is not one melding's: cannot copy it")
        owner[row.originator_id] = found[0]
    return owner


def _pairs(n: int, m: int, names: list[tuple[uuid.UUID, uuid.UUID, str]]) -> Pairs:
    """What melding n's rows say that melding m's say otherwise: its id and every id
    derived from it, as text and as hex (how UUIDs are stored and transcoded)."""
    old, new = _melding_id(n), _melding_id(m)
    pairs = [(uuid.UUID(old), uuid.UUID(new))]
    pairs += [(made, uuid.uuid5(namespace, name.replace(old, new)))
              for made, namespace, name in names]
    return [(text.encode(), other.encode()) for a, b in pairs
            for text, other in ((str(a), str(b)), (a.hex, b.hex))]


def _replaced(data: bytes, pairs: Pairs) -> bytes:
    for old, new in pairs:
        data = data.replace(old, new)
    return data


def _copy_event(mapper: Any, row: Any, state: bytes, pairs: Pairs) -> dict[str, Any]:
    sealed = mapper.cipher.encrypt(mapper.compressor.compress(_replaced(state, pairs)))
    aggregate = uuid.UUID(_replaced(str(row.originator_id).encode(), pairs).decode())
    return {"originator_id": aggregate, "originator_version": row.originator_version,
            "topic": row.topic, "state": sealed}


def _value(value: Any, pairs: Pairs) -> Any:
    if isinstance(value, str):
        return _replaced(value.encode(), pairs).decode()
    if isinstance(value, uuid.UUID):
        return uuid.UUID(_replaced(str(value).encode(), pairs).decode())
    return value


def _melding_in(row: Any) -> int:
    """The template melding a view row is about: the one whose id it holds."""
    text = " ".join(str(value) for value in row)
    found = [n for n in range(PERIOD) if _melding_id(n) in text
             or uuid.UUID(_melding_id(n)).hex in text]
    if len(found) != 1:
        raise ValueError(f"a view row is not one melding's: cannot copy it ({len(found)})")
    return found[0]


def _copy_row(row: Any, pairs: Pairs) -> dict[str, Any]:
    return {key: _value(value, pairs) for key, value in row._mapping.items()}


def _view_tables(engine: sqlalchemy.Engine, schema: str | None, events: str
                 ) -> list[sqlalchemy.Table]:
    metadata = sqlalchemy.MetaData()
    metadata.reflect(engine, schema=schema)
    prefix = events.removesuffix("events")
    return [table for table in metadata.sorted_tables if table.name.startswith(prefix)
            and table.name.removeprefix(prefix) not in WHOLE_STORE]


def _track_end(settings: Settings, app: Any, sources: tuple[str, ...],
               meldingen: int) -> None:
    """The inbox at the history's end, as taken in: the stream's and each source's
    positions, counted a period at a time (each period has the same events)."""
    sequence, positions = history.counted(meldingen)
    app.recorder.insert_events([], tracking=InboxTracking(
        settings.stream, sequence, sources=tuple(
            Tracking(f"{settings.stream}.{source}", positions[source])
            for source in sources if source in positions)))


def _views_at_end(engine: sqlalchemy.Engine, app: Any) -> None:
    """The stored views' position at the log's end: the copies' rows are written."""
    events = app.recorder.events_record_cls.__table__
    metadata = sqlalchemy.MetaData()
    name = f"{events.name.removesuffix('events')}view_positions"
    metadata.reflect(engine, schema=events.schema, only=[name])
    [positions] = metadata.tables.values()
    with engine.begin() as connection:
        connection.execute(positions.update().values(
            position=app.recorder.max_notification_id() or 0))
