"""The replay's scratch figures hold a batch, not a state per melding: the meldingen
are rows in the scratch file, the digest is the in-memory one, and the file goes. A
start's rebuild counts the same way into the live tables."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy

from bench.figures_size import events
from services.reporting.adapters.figure_tables import FigureTables
from services.reporting.adapters.scratch_figures import ScratchFigures, TableCount
from services.reporting.domain.figures import AnnualFigures
from services.reporting.views import LiveFigures


def test_scratch_figures_keep_meldingen_in_rows_not_in_memory(tmp_path: Path) -> None:
    count = 3 * ScratchFigures.BATCH
    memory = AnnualFigures()
    with ScratchFigures(tmp_path) as scratch:
        for kind, data in events(count):
            scratch.apply(kind, data)
            memory.apply(kind, data)
            assert len(scratch.pending) < ScratchFigures.BATCH
        assert scratch.digest() == memory.digest()
        assert scratch.pending == []
        held = [*vars(scratch).values(), *vars(scratch.figures).values()]
        assert not any(isinstance(value, dict | set | list) and len(value) >= count
                       for value in held)
        assert len(scratch.figures._counts.cells) < 100  # per year and key, not melding
        assert len(scratch.figures.tables.states(memory.meldingen)) == count
        assert scratch.path.parent.parent == tmp_path
    assert not scratch.path.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_event_the_figures_cannot_read_counts_nothing(tmp_path: Path) -> None:
    good = list(events(2))
    memory = AnnualFigures()
    for kind, data in good:
        memory.apply(kind, data)
    with ScratchFigures(tmp_path) as scratch:
        scratch.apply(*good[0])
        scratch.apply("melding_received", {"melding_id": "x"})  # no received_at
        for event in good[1:]:
            scratch.apply(*event)
        assert scratch.digest() == memory.digest()


def test_a_rebuild_counts_into_the_live_tables_and_a_cut_off_one_is_passed_over(
        tmp_path: Path) -> None:
    tables = FigureTables(sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'live.sqlite'}"))
    live = LiveFigures(tables)
    with tables.engine.begin() as connection:  # what a layout before left behind
        connection.execute(tables.meldingen.insert(), {
            "melding_id": "old", "year": 1999, "feedback_given": False, "counted": 0,
            "received": 0})
    memory = AnnualFigures()
    rebuild = TableCount(live)
    assert tables.states({"old"}) == {}
    for kind, data in events(TableCount.BATCH):  # a batch and a half counted ...
        rebuild.apply(kind, data)
        memory.apply(kind, data)
    # ... then the start stops: the tables are at no tracked sequence, so the next
    # start rebuilds them again rather than count on from half a count.
    assert rebuild.pending and not live.ready.is_set()
    assert tables.load(0) is None and tables.load(len(memory.meldingen)) is None

    assert rebuild.finish(4321).position == 4321
    assert live.ready.is_set()
    assert tables.load(4321) is not None
    assert live.snapshot() == (4321, memory.events, memory.digest())
