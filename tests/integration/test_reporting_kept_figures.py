"""Reporting's live figures are in its tables, written in the inbox's tracking
transaction (real nats-server, SQLite and PostgreSQL): a restart mid-stream reads
only the counts row and counts on to the figures of one uninterrupted run; a batch
applied again (a crash before its ack) counts nothing twice; tables that do not fit
the tracked position are rebuilt from the stream."""

from __future__ import annotations

import itertools

import orjson
import pytest
from eventsourcing.persistence import IntegrityError

from services.reporting.domain.figures import THEMES, AnnualFigures
from shared.config import Settings
from shared.recorders import InboxTracking
from tests.integration.test_reporting_year import caught_up, publish
from tests.support import eventually, jetstream, running, token
from tests.unit.test_annual_report import scripted_year


def in_memory(events: list[object]) -> AnnualFigures:
    figures = AnnualFigures()
    for event in events:
        figures.apply(event.type, event.model_dump(mode="json"))  # type: ignore[attr-defined]
    return figures


async def test_a_restart_mid_stream_reads_the_counts_row_and_counts_on(settings: Settings
                                                                       ) -> None:
    auditor = token(settings, "auditor")
    events = list(scripted_year())
    half = len(events) // 2
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            chains: tuple[dict[str, int], dict[str, str]] = ({}, {})
            stopped_at = await publish(js, settings, events[:half], chains)
            await caught_up(reporting, stopped_at)
        tables = reporting.application.live.tables
        counts = tables.load(stopped_at)
        assert counts is not None and counts.position == stopped_at

        async with running("reporting", settings) as restarted:
            await eventually(lambda: restarted.application.live.ready.is_set())
            live = restarted.application.live
            assert live.position == stopped_at
            assert live.snapshot()[1:] == (in_memory(events[:half]).events,
                                           in_memory(events[:half]).digest())
            last = await publish(js, settings, events[half:], chains)
            await caught_up(restarted, last)
            whole = in_memory(events)
            assert live.snapshot() == (last, whole.events, whole.digest())
            assert {y: live.figures(y) for y in (2024, 2025, 2026)} == {
                y: whole.figures(y) for y in (2024, 2025, 2026)}
            replay = await restarted.client.post("/api/audit/replay", headers=auditor)
            assert replay.json()["matches_live"] is True, replay.text

            # Applied again, as after a crash between its commit and its ack: the
            # tracking record refuses it, and the figures and their rows stay as they are.
            before = live.snapshot()
            again = events[-3:]
            with pytest.raises(IntegrityError):
                restarted.application.process_admitted(
                    again, InboxTracking(settings.stream, last), [None] * len(again))
            assert live.snapshot() == before
            assert tables.load(last) is not None


async def test_a_start_takes_the_counts_row_as_it_is(settings: Settings) -> None:
    """A count only the counts row holds shows that a start read it, not the stream."""
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            last = await publish(js, settings, itertools.islice(scripted_year(), 40))
            await caught_up(reporting, last)
        tables = reporting.application.live.tables
        cells = [[1999, "theme", THEMES[0], 7]]
        with tables.engine.begin() as connection:
            connection.execute(tables.counts.update().values(cells=orjson.dumps(cells)))
        async with running("reporting", settings) as restarted:
            await eventually(lambda: restarted.application.live.ready.is_set())
            live = restarted.application.live
            assert live.position == last
            assert live.figures(1999)["meldingen"]["by_theme"][THEMES[0]] == 7


async def test_tables_that_do_not_fit_are_rebuilt_from_the_stream(settings: Settings
                                                                  ) -> None:
    auditor = token(settings, "auditor")
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            last = await publish(js, settings, itertools.islice(scripted_year(), 40))
            await caught_up(reporting, last)
            live = (await reporting.client.get("/api/audit/live", headers=auditor)).json()
        tables = reporting.application.live.tables
        # Ahead of what the inbox tracked (counting events it never had), of another
        # layout (the one JSON row before the tables), and none at all.
        for change in ({"position": last + 1}, {"layout": 1}, None):
            with tables.engine.begin() as connection:
                if change is None:
                    connection.execute(tables.counts.delete())
                    connection.execute(tables.meldingen.delete())
                else:
                    connection.execute(tables.counts.update().values(**change))
            async with running("reporting", settings) as restarted:
                await eventually(lambda: restarted.application.live.ready.is_set())
                again = (await restarted.client.get("/api/audit/live",
                                                    headers=auditor)).json()
            assert again["digest"] == live["digest"]
            assert again["position"] == last
            assert tables.load(last) is not None
