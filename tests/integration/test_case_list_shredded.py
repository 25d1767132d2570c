"""A shredded melding's case stays in investigation's case list after a restart,
marked with its day and without content: the list is rebuilt from the events at
start, and the shredded case's events are read without what its key kept."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime

from shared.config import Settings
from shared.terms import local_date
from tests.integration.test_shredding import MELDPUNT, closed_after_conversation, file
from tests.support import eventually, ok, running, token


async def test_a_restart_keeps_a_shredded_case_listed_and_marked(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"retention_days": 0})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    authority = token(settings, "competent_authority")
    today = local_date(datetime.now(UTC)).isoformat()
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage")}
        async with running("investigation", settings) as investigation:
            s["investigation"] = investigation
            melding_id, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
            await closed_after_conversation(s, settings, melding_id)
            await ok(s["triage"].client.post("/api/retention/run", headers=MELDPUNT[0]))

            async def shredded() -> bool:
                case = await investigation.client.get(f"/api/cases/{melding_id}",
                                                      headers=authority)
                return case.status_code == 410

            await eventually(shredded)
            listed = await ok(investigation.client.get("/api/cases", headers=authority))
            before = [(c["id"], c["shredded_on"]) for c in listed["items"]]
            assert before == [(melding_id, today)]

        async with running("investigation", settings) as investigation:
            listed = await ok(investigation.client.get("/api/cases", headers=authority))
            assert [(c["id"], c["shredded_on"]) for c in listed["items"]] == before
            assert "bakfiets" not in str(listed)
            gone = await investigation.client.get(f"/api/cases/{melding_id}",
                                                  headers=authority)
            assert gone.status_code == 410
