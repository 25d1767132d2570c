"""The meldpunt writes its account of a year through the API; the report includes it;
other roles cannot write it; bad input is a problem naming the field and changes
nothing; a restart keeps every part."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import eventually, running, token

ACCOUNT = "/api/reports/annual/account"
PROBLEM_JSON = "application/problem+json"


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_the_meldpunt_writes_the_account_and_the_report_shows_it(
    settings: Settings,
) -> None:
    clock = MovableClock(datetime(2026, 1, 20, 9, 0, tzinfo=UTC))
    meldpunt, board = token(settings, "meldpunt"), token(settings, "competent_authority")
    async with running("reporting", settings, clock=clock) as reporting:
        client = reporting.client
        written = await client.put(f"{ACCOUNT}/activities?year=2025", headers=meldpunt,
                                   json={"text": "Drie trainingen.\n\nEen werkproces."})
        assert written.status_code == 200, written.text
        assert written.json()["activities"]["version"] == 1
        assert written.json()["analysis"] is None
        again = await client.put(f"{ACCOUNT}/activities?year=2025", headers=meldpunt,
                                 json={"text": "Vier trainingen."})
        assert again.json()["activities"] == {"text": "Vier trainingen.", "version": 2,
                                              "written_at": "2026-01-20T09:00:00+00:00"}

        # Only the meldpunt writes it; the report's readers read it there.
        for role in ("auditor", "competent_authority", "investigator"):
            response = await client.put(f"{ACCOUNT}/analysis?year=2025",
                                        headers=token(settings, role), json={"text": "Nee."})
            assert response.status_code == 403
        assert (await client.put(f"{ACCOUNT}/analysis?year=2025",
                                 json={"text": "Nee."})).status_code == 401
        async def figures_rebuilt() -> bool:  # 503 until they are, at the start
            return (await client.get("/api/reports/annual?year=2025",
                                     headers=board)).status_code == 200

        await eventually(figures_rebuilt)
        report = (await client.get("/api/reports/annual?year=2025", headers=board)).json()
        assert report["written"]["activities"]["text"] == "Vier trainingen."
        assert report["written"]["intended_actions"] is None

        # Refused, naming the field, and nothing changes.
        before = (await client.get(f"{ACCOUNT}?year=2025", headers=meldpunt)).json()
        refused(await client.put(f"{ACCOUNT}/activities?year=2027", headers=meldpunt,
                                 json={"text": "Vooruit."}), "year")
        refused(await client.put(f"{ACCOUNT}/secrets?year=2025", headers=meldpunt,
                                 json={"text": "Iets."}), "part")
        refused(await client.put(f"{ACCOUNT}/analysis?year=2025", headers=meldpunt,
                                 json={"text": "   "}), "text")
        refused(await client.put(f"{ACCOUNT}/analysis?year=2025", headers=meldpunt,
                                 json={"text": 42}), "text")
        refused(await client.put(f"{ACCOUNT}/analysis?year=2025", headers=meldpunt,
                                 json={"text": "Ja.", "by": "someone"}), "by")
        assert (await client.get(f"{ACCOUNT}?year=2025", headers=meldpunt)).json() == before

    async with running("reporting", settings, clock=clock) as restarted:
        kept = await restarted.client.get(f"{ACCOUNT}?year=2025", headers=meldpunt)
        assert kept.json() == before
        assert kept.json()["activities"]["version"] == 2
