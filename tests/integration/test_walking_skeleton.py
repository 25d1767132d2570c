"""A melding posted to intake travels over a real nats-server into triage's queue."""

from __future__ import annotations

from shared.config import Settings
from tests.support import MELDING, eventually, running, token


async def test_melding_posted_to_intake_appears_in_triage(settings: Settings) -> None:
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        # A reporter files a melding and gets its id and receipt once.
        response = await intake.client.post("/api/meldingen", json=MELDING)
        assert response.status_code == 201, response.text
        filed = response.json()
        assert len(filed["receipt"].replace(" ", "")) == 16

        # The meldpunt sees it in the queue once triage has consumed the event.
        meldpunt = token(settings, "meldpunt")

        async def listed() -> bool:
            queue = await triage.client.get("/api/meldingen", headers=meldpunt)
            return [item["id"] for item in queue.json()["items"]] == [filed["id"]]

        await eventually(listed)
