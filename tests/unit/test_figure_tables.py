"""The live figures on reporting's tables (SQLite here; PostgreSQL in
`tests/integration/test_reporting_kept_figures.py`) count what the figures in memory
count: batch by batch, after a start from the tables, with copies of earlier events,
and not at all for a batch whose transaction failed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.reporting.adapters.figure_tables import FigureTables
from services.reporting.domain.figures import (
    CHANNELS,
    CLOSING_REASONS,
    KINDS,
    THEMES,
    AnnualFigures,
    age,
    age_bounds,
    year_end,
)
from services.reporting.views import Counted, LiveFigures
from shared.tableview import in_memory
from shared.terms import LOCAL
from tests.unit.test_annual_report import scripted_year

YEARS = (2024, 2025, 2026)


def count(live: LiveFigures, tables: FigureTables, position: int,
          batch: list[Counted]) -> None:
    with live.batch(position, batch) as write, tables.engine.begin() as connection:
        write(connection)


def test_the_tables_count_as_memory_does_across_a_start_and_copies() -> None:
    events: list[Counted] = [(e.type, e.model_dump(mode="json")) for e in scripted_year()]
    half = len(events) // 2
    memory = AnnualFigures()
    tables = FigureTables(in_memory())
    live = LiveFigures(tables)
    live.started(tables.load(0) or pytest.fail("an empty store starts at 0"))
    for start in range(0, half, 7):  # batches, a parked message (None) in each
        batch = [*events[start:min(start + 7, half)], None]
        for counted in batch:
            if counted is not None:
                memory.apply(*counted)
        count(live, tables, start + 8, batch)
    assert live.snapshot()[1:] == (memory.events, memory.digest())

    # A start reads the counts row, at the position it was written with, and counts on;
    # copies of the first half's events (re-published after the de-duplication
    # window) count no second time, in the tables as in memory.
    assert tables.load(live.position + 1) is None
    restarted = LiveFigures(tables)
    restarted.started(tables.load(live.position) or pytest.fail("no counts row"))
    rest = events[half:] + events[:half]
    for start in range(0, len(rest), 50):
        for counted in rest[start:start + 50]:
            if counted is not None:
                memory.apply(*counted)
        count(restarted, tables, 1000 + start, rest[start:start + 50])
    assert restarted.snapshot()[1:] == (memory.events, memory.digest())
    assert all(restarted.figures(year) == memory.figures(year) for year in YEARS)


def test_the_open_count_at_a_year_end_is_the_same_as_a_query() -> None:
    """Meldingen received over three years, closed a varying time later, some reopened:
    the tables' query gives memory's open counts, every age among them."""
    start = datetime(2023, 1, 1, 0, 30, tzinfo=LOCAL)
    events: list[Counted] = []
    for number in range(600):
        melding_id, at = f"m{number}", start + timedelta(hours=43 * number + number % 5)
        events.append(("melding_received", {
            "melding_id": melding_id, "received_at": at.isoformat(),
            "acknowledged_at": (at + timedelta(days=1)).isoformat(),
            "theme": THEMES[0], "kind": KINDS[0], "channel": CHANNELS[0]}))
        if number % 3:
            closed = at + timedelta(days=number % 400)
            events.append(("melding_closed", {"melding_id": melding_id,
                                              "reason": CLOSING_REASONS[0],
                                              "at": closed.isoformat()}))
            if number % 7 == 0:
                events.append(("melding_reopened", {
                    "melding_id": melding_id, "at": (closed + timedelta(days=3)).isoformat()}))
    memory = AnnualFigures()
    for counted in events:
        if counted is not None:
            memory.apply(*counted)
    tables = FigureTables(in_memory())
    live = LiveFigures(tables)
    live.started(tables.load(0) or pytest.fail("an empty store starts at 0"))
    for at in range(0, len(events), 100):
        count(live, tables, at + 1, events[at:at + 100])
    opened = [memory.figures(year)["open_at_year_end"] for year in (2023, 2024, 2025, 2026)]
    assert [live.figures(year)["open_at_year_end"] for year in (2023, 2024, 2025, 2026)] \
        == opened
    assert all(n for by_age in opened[1:3] for n in by_age["by_age"].values())


def test_a_batch_whose_transaction_fails_counts_nothing() -> None:
    events: list[Counted] = [(e.type, e.model_dump(mode="json")) for e in scripted_year()]
    tables = FigureTables(in_memory())
    live = LiveFigures(tables)
    live.started(tables.load(0) or pytest.fail("an empty store starts at 0"))
    count(live, tables, 10, events[:10])
    before = live.snapshot()
    with pytest.raises(RuntimeError), live.batch(20, events[10:20]) as write, \
            tables.engine.begin() as connection:
        write(connection)
        raise RuntimeError("the tracking record was refused")
    assert live.snapshot() == before
    assert tables.load(10) is not None
    count(live, tables, 20, events[10:20])  # the inbox's retry counts it once
    memory = AnnualFigures()
    for counted in events[:20]:
        if counted is not None:
            memory.apply(*counted)
    assert live.snapshot()[1:] == (memory.events, memory.digest())


def test_the_age_bounds_give_the_ages() -> None:
    end = year_end(2025)
    bounds = age_bounds(end)
    received = datetime(2024, 10, 1, tzinfo=LOCAL)
    while received < end:
        by_bounds = next((name for since, name in bounds if received > since),
                         "over_12_months")
        assert by_bounds == age(received, end), received
        received += timedelta(hours=7, minutes=13)
    for since, _ in bounds:  # at each bound itself, and just after it
        for moment in (since, since + timedelta(microseconds=1)):
            by_bounds = next((name for s, name in bounds if moment > s), "over_12_months")
            assert by_bounds == age(moment, end)
