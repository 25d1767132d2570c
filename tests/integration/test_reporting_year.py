"""A scripted year published to a real nats-server gives exactly the expected figures
through reporting's API, in JSON and CSV; a replay matches them, twice the same; a
restart rebuilds them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from nats.js import JetStreamContext

from services.reporting.domain.publication import rows, suppress
from shared.chain import GENESIS, envelope_hash
from shared.config import Settings
from shared.contracts import IntegrationEvent
from shared.messaging.envelope import Envelope
from tests.support import eventually, jetstream, replayed, running, signed, token
from tests.unit.test_annual_report import EXPECTED_2025, SOURCE, scripted_year


async def publish(js: JetStreamContext, settings: Settings,
                  events: Iterable[IntegrationEvent],
                  chains: tuple[dict[str, int], dict[str, str]] | None = None) -> int:
    """Publish as each source's relay would: in order, chained, signed, with message ids;
    returns the last stream sequence. `chains`: each source's position and head, to go
    on from (and left where this leaves them)."""
    positions, heads = chains if chains is not None else ({}, {})
    sequence = 0
    for event in events:
        source = SOURCE[event.type]
        positions[source] = positions.get(source, 0) + 1
        envelope = Envelope.wrap(event, source=source, position=positions[source],
                                 prev=heads.get(source, GENESIS))
        payload = envelope.encode()
        ack = await js.publish(envelope.subject, payload,
                               headers=signed(settings, envelope))
        heads[source] = envelope_hash(payload)
        sequence = ack.seq
    return sequence


async def caught_up(reporting: Any, sequence: int) -> None:
    await eventually(lambda: reporting.application.live.position >= sequence, timeout=20)


def csv_figures(text: str, year: str = "2025") -> dict[tuple[str, str], str]:
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["year", "figure", "category", "value"]
    return {(figure, category): value for of_year, figure, category, value in table[1:]
            if of_year == year}


async def test_a_scripted_year_gives_the_expected_figures_in_json_and_csv(
    settings: Settings,
) -> None:
    async with running("reporting", settings) as reporting, jetstream(settings) as js:
        last = await publish(js, settings, scripted_year())
        await caught_up(reporting, last)
        auditor = token(settings, "auditor")

        response = await reporting.client.get("/api/reports/annual?year=2025", headers=auditor)
        assert response.status_code == 200, response.text
        published = response.json()
        before = published.pop("previous_year")
        assert set(published.pop("written").values()) == {None}  # nothing written yet
        assert published == suppress(EXPECTED_2025, 3)
        # Beside it the year before: one contact moment, the rest zero.
        assert before["year"] == 2024 and before["meldingen"]["total"] == 0
        assert before["contact_moments"]["integrity"]["total"] == "<3"
        # Small counts are hidden, zero and larger ones are not.
        assert published["meldingen"]["total"] == 13
        assert published["meldingen"]["by_theme"]["interests"] == "<3"
        assert published["meldingen"]["by_theme"]["resources"] == 0
        assert published["police_reports"] == "<3"
        assert published["terms"]["acknowledgement"]["late"] == 3
        assert published["terms"]["feedback"] == {"within": 9, "late": "x", "pending": "<3",
                                                  "share_within": "x"}

        response = await reporting.client.get(
            "/api/reports/annual?year=2025", headers={**auditor, "Accept": "text/csv"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        expected_rows = {(f, c): str(v) for f, c, v in rows(suppress(EXPECTED_2025, 3))}
        assert csv_figures(response.text) == expected_rows
        assert csv_figures(response.text)[("meldingen.by_theme", "gifts")] == "5"
        assert csv_figures(response.text)[("terms.acknowledgement", "share_within")] == "0.7692"
        assert csv_figures(response.text, "2024")[("contact_moments.integrity", "total")] \
            == "<3"

        # The competent authority reads them too; other roles and strangers do not.
        board = token(settings, "competent_authority")
        assert (await reporting.client.get("/api/reports/annual?year=2025",
                                           headers=board)).status_code == 200
        assert (await reporting.client.get("/api/reports/annual?year=2025",
                                           headers=token(settings, "meldpunt"))).status_code == 403
        assert (await reporting.client.get("/api/reports/annual?year=2025")).status_code == 401


async def test_with_threshold_one_every_count_is_shown(settings: Settings) -> None:
    exact = settings.model_copy(update={"report_threshold": 1})
    async with running("reporting", exact) as reporting, jetstream(exact) as js:
        await caught_up(reporting, await publish(js, exact, scripted_year()))
        response = await reporting.client.get("/api/reports/annual?year=2025",
                                              headers=token(exact, "auditor"))
        published = response.json()
        assert published.pop("previous_year")["threshold"] == 1
        published.pop("written")
        assert published == {**EXPECTED_2025, "threshold": 1}


async def test_replay_matches_live_twice_the_same_and_a_restart_rebuilds(
    settings: Settings,
) -> None:
    auditor = token(settings, "auditor")
    async with jetstream(settings) as js:
        async with running("reporting", settings) as reporting:
            last = await publish(js, settings, scripted_year())
            await caught_up(reporting, last)
            first = await reporting.client.post("/api/audit/replay", headers=auditor)
            assert first.status_code == 200, first.text
            second = await reporting.client.post("/api/audit/replay", headers=auditor)
            assert first.json()["matches_live"] is True
            assert first.json()["events_replayed"] == last
            assert second.json()["digest"] == first.json()["digest"]
            # Every figure, the new ones too (open at year end, the year before beside
            # each), is rebuilt exactly from the stream.
            rebuilt = await replayed(js, settings, upto=last, years=(2024, 2025, 2026))
            for year in (2024, 2025, 2026):
                assert rebuilt.years[year] == reporting.application.live.figures(year)
            assert rebuilt.years[2026]["open_at_year_end"]["by_age"]["6_to_12_months"] == 1
            figures = (await reporting.client.get("/api/reports/annual?year=2025",
                                                  headers=auditor)).json()
            # Only the auditor replays.
            board = token(settings, "competent_authority")
            assert (await reporting.client.post("/api/audit/replay",
                                                headers=board)).status_code == 403

        # A restart takes the figures up again from its tables at the tracked sequence.
        async with running("reporting", settings) as restarted:
            await eventually(lambda: restarted.application.live.ready.is_set())
            again = await restarted.client.get("/api/reports/annual?year=2025",
                                               headers=auditor)
            assert again.json() == figures
            live = (await restarted.client.get("/api/audit/live", headers=auditor)).json()
            assert live["digest"] == first.json()["digest"]
            assert live["position"] == last
