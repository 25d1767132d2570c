"""The replay's scratch figures hold a batch, not a state per melding: the meldingen
are rows in the scratch file, the digest is the in-memory one, and the file goes."""

from __future__ import annotations

from pathlib import Path

from bench.figures_size import events
from services.reporting.adapters.scratch_figures import ScratchFigures
from services.reporting.domain.figures import AnnualFigures


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
