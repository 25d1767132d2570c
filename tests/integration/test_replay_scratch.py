"""The auditor's replay counts on scratch tables of its own (issue 23), real
nats-server, SQLite and PostgreSQL: its answer equals the live figures, made with
batches smaller than the year's events, the live tables are left as they were, and
the scratch file is gone after."""

from __future__ import annotations

import pytest

from services.reporting.adapters.scratch_figures import ScratchFigures
from shared.config import Settings
from tests.integration.test_reporting_kept_figures import in_memory
from tests.integration.test_reporting_year import caught_up, publish
from tests.support import jetstream, running, token
from tests.unit.test_annual_report import scripted_year


async def test_the_replay_on_scratch_tables_equals_the_live_figures(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    events = list(scripted_year())
    monkeypatch.setattr(ScratchFigures, "BATCH", 3)  # many batches, as at 1,000,000
    async with jetstream(settings) as js, running("reporting", settings) as reporting:
        last = await publish(js, settings, events, ({}, {}))
        await caught_up(reporting, last)
        live = reporting.application.live
        before = live.snapshot()
        rows = live.tables.states({getattr(e, "melding_id", "") for e in events})
        assert rows and len(events) > 3 * ScratchFigures.BATCH

        replay = await reporting.client.post(
            "/api/audit/replay", headers=token(settings, "auditor"))

        assert replay.status_code == 200, replay.text
        answer = replay.json()
        assert answer["matches_live"] is True, answer
        assert answer["digest"] == in_memory(events).digest() == before[2]
        assert live.snapshot() == before
        assert live.tables.states(rows) == rows
        assert not list(settings.var_dir.glob("replay-*"))
