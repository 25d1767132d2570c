"""The figures of issue 21's corrections, through a real nats-server: a re-assessment,
a police report recorded beside the decision, a reopened melding open at the year's
end. The live figures count them, and a replay and a restart rebuild every figure
exactly, the year before's and the meldingen open at the year's end included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from shared.config import Settings
from shared.contracts import (
    IntegrationEvent,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingReopened,
    PoliceReportRecorded,
)
from tests.integration.test_reporting_year import caught_up, jetstream, publish
from tests.support import eventually, replayed, running, token
from tests.unit.test_annual_report import EXPECTED_2025, melding_id, scripted_year

SEPTEMBER = datetime(2025, 9, 1, 9, tzinfo=UTC)
NEXT_FEBRUARY = datetime(2026, 2, 2, 9, tzinfo=UTC)


def corrections() -> Iterator[IntegrationEvent]:
    """After the scripted year: what the meldpunt and the competent authority correct."""
    # The last melding, assessed inadmissible and closed, is assessed again: admissible.
    refused = melding_id(12)
    yield MeldingAssessed(
        melding_id=refused, admissible=True, reasonable_grounds=True, code_violation=True,
        severity="medium", theme="other", advice="no_action", assessed_by="mp", at=SEPTEMBER)
    # The melding decided with a police report has it recorded (twice: a copy); the one
    # beside it gets one recorded without a decision naming it.
    for index in (10, 10, 11):
        yield PoliceReportRecorded(melding_id=melding_id(index), filed_on=date(2025, 9, 1),
                                   at=SEPTEMBER)
    # The one closed without action is reopened on new facts, decided again, and closed
    # again only in the next year: open at the end of 2025, closed counted once.
    reopened = melding_id(9)
    yield MeldingReopened(melding_id=reopened, at=SEPTEMBER)
    yield MeldingDecided(melding_id=reopened, outcome=["referral"], theme="interests",
                         involved=["iemand"], assessed_by="mp", decided_by="ca",
                         police_report_on=None, at=SEPTEMBER)
    yield MeldingClosed(melding_id=reopened, reason="referral", at=NEXT_FEBRUARY)


async def test_corrections_are_counted_and_rebuilt_exactly(settings: Settings) -> None:
    auditor = token(settings, "auditor")
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            last = await publish(js, settings, [*scripted_year(), *corrections()])
            await caught_up(reporting, last)
            live = reporting.application.live
            year = live.figures(2025)
            # The re-assessment counts instead of the first; each police report once.
            assert year["admissibility"] == {"admissible": 11, "inadmissible": 2}
            assert year["police_reports"] == EXPECTED_2025["police_reports"] + 1 == 2
            # The reopened melding: open at the year's end, its decision and its
            # closing each counted once.
            assert year["open_at_year_end"]["total"] == 1
            assert year["decisions"] == EXPECTED_2025["decisions"]
            assert year["closed"] == EXPECTED_2025["closed"]
            assert live.figures(2026)["open_at_year_end"]["total"] == 1  # next year's own

            replay = await reporting.client.post("/api/audit/replay", headers=auditor)
            assert replay.json()["matches_live"] is True, replay.text
            rebuilt = await replayed(js, settings, upto=last, years=(2024, 2025, 2026))
            for each in (2024, 2025, 2026):
                assert rebuilt.years[each] == live.figures(each)
            published = (await reporting.client.get("/api/reports/annual?year=2026",
                                                    headers=auditor)).json()

        # A restart rebuilds them from the stream: the same report, the year before beside.
        async with running("reporting", settings) as restarted:
            await eventually(lambda: restarted.application.live.ready.is_set())
            again = await restarted.client.get("/api/reports/annual?year=2026",
                                               headers=auditor)
            assert again.json() == published
            assert restarted.application.live.figures(2025) == rebuilt.years[2025]
