"""Reporting keeps its live figures in its store with their stream sequence, and a
restart starts from them and reads only the events after them; kept figures that do
not read are passed over for a rebuild from the whole stream."""

from __future__ import annotations

import itertools

import orjson

from services.reporting.adapters.stored_figures import StoredFigures
from services.reporting.domain.figures import THEMES
from shared.config import Settings
from tests.integration.test_reporting_year import caught_up, publish
from tests.support import eventually, jetstream, running, token
from tests.unit.test_annual_report import scripted_year


async def test_a_restart_starts_from_the_kept_figures_and_reads_on(settings: Settings
                                                                    ) -> None:
    auditor = token(settings, "auditor")
    events = list(scripted_year())
    half = len(events) // 2
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            kept_at = await publish(js, settings, events[:half])
            await caught_up(reporting, kept_at)
            assert await reporting.app.state.parts.companion.keep_figures(at_least=1)
            last = await publish(js, settings, events[half:])
            await caught_up(reporting, last)
            before = {year: reporting.application.live.figures(year)
                      for year in (2024, 2025, 2026)}

        # A count only the kept row holds shows that the restart took it as it is,
        # and equal figures beside it that it read the stream once after its sequence.
        stored = StoredFigures.of(reporting.application.recorder, settings)
        loaded = stored.load(last)
        assert loaded is not None
        figures, position = loaded
        assert position == kept_at
        figures.cells[(1999, "theme", THEMES[0])] = 7
        stored.keep(position, orjson.dumps(figures.state()))
        async with running("reporting", settings) as restarted:
            await eventually(lambda: restarted.application.live.ready.is_set())
            live = restarted.application.live
            assert live.position == last
            assert live.figures(1999)["meldingen"]["by_theme"][THEMES[0]] == 7
            assert {year: live.figures(year) for year in (2024, 2025, 2026)} == before
            report = await restarted.client.get("/api/reports/annual?year=2025",
                                                headers=auditor)
            assert report.status_code == 200, report.text


async def test_kept_figures_that_do_not_read_are_passed_over(settings: Settings) -> None:
    auditor = token(settings, "auditor")
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            last = await publish(js, settings, itertools.islice(scripted_year(), 40))
            await caught_up(reporting, last)
            assert await reporting.app.state.parts.companion.keep_figures(at_least=1)
            live = (await reporting.client.get("/api/audit/live", headers=auditor)).json()
        stored = StoredFigures.of(reporting.application.recorder, settings)
        loaded = stored.load(last)
        assert loaded is not None
        ahead = loaded[0]
        ahead.cells[(1999, "theme", THEMES[0])] = 7
        # Unreadable, and ahead of what the inbox tracked (counting events it never had).
        for position, state in ((last, b"not the figures"),
                                (last + 1, orjson.dumps(ahead.state()))):
            stored.keep(position, state)
            async with running("reporting", settings) as restarted:
                await eventually(lambda: restarted.application.live.ready.is_set())
                again = (await restarted.client.get("/api/audit/live",
                                                    headers=auditor)).json()
            assert again["digest"] == live["digest"]
            assert again["position"] == last
