"""The legal hold and a shredded melding in the console, over HTTP (ASGI) with real
intake and triage: the meldpunt places a hold with a motivation on the melding page
(a short one is refused beside its field) and lifts it; once shredded, the melding's
page says so with the day, and the queue marks its row."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import Settings
from shared.terms import local_date
from tests.consoleflows import ORIGIN
from tests.integration.test_console_queue import (  # noqa: F401 (the fixtures)
    Procedure,
    file,
    procedure,
    rows,
    signed_in,
)
from tests.integration.test_console_routing import submit
from tests.support import NatsServer, assessment, eventually, make_settings, ok, token


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         default_competent_authority="bert",
                         console_failure_delay_seconds=0.05, retention_days=0)


async def test_a_hold_on_the_melding_page_and_a_shredded_melding(
        procedure: Procedure, settings: Settings) -> None:  # noqa: F811
    p = procedure
    meldpunt = p.console.client
    await signed_in(p, meldpunt, "mia", "meldpunt")
    melding_id = await file(p)
    path = f"/meldingen/{melding_id}"

    async def arrived() -> bool:
        return rows((await meldpunt.get("/queue")).text) == [melding_id]

    await eventually(arrived)
    page = (await meldpunt.get(path)).text
    assert 'id="hold-form"' in page and 'action="/meldingen/' + melding_id + '/legal-hold"' in page
    short = await submit(meldpunt, f"{path}/legal-hold", page, {"hold_motivation": "kort"})
    assert short.status_code == 422 and 'id="hold_motivation-error"' in short.text
    assert "Motiveer de blokkade in minstens 10 tekens" in short.text  # named, not empty
    placed = await submit(meldpunt, f"{path}/legal-hold", page,
                          {"hold_motivation": "Rechtszaak C/09/123456 loopt"})
    assert placed.status_code == 303, placed.text
    page = (await meldpunt.get(path)).text
    assert "Rechtszaak C/09/123456 loopt" in page.split('id="legal-hold">', 1)[1]
    assert f"/meldingen/{melding_id}/legal-hold-lifting" in page
    lifted = await submit(meldpunt, f"{path}/legal-hold-lifting", page,
                          {"hold_motivation": "De rechtszaak is afgelopen"})
    assert lifted.status_code == 303, lifted.text
    assert 'id="legal-hold"' not in (await meldpunt.get(path)).text

    # Closed without follow-up, a 0-day term: shredded at the next check.
    triage = p.triage.client
    await ok(triage.post(f"/api/meldingen/{melding_id}/assessment",
                         headers=token(settings, "meldpunt", "mia"),
                         json=assessment(advice="no_action")))
    await ok(triage.post(f"/api/meldingen/{melding_id}/decision",
                         headers=token(settings, "competent_authority", "bert"),
                         json={"outcome": ["no_action"], "motivation": "Geen aanwijzingen."}))
    shredded = p.triage.app.state.parts.retention.run()
    assert [s.melding_id for s in shredded] == [melding_id]
    day = local_date(shredded[0].shredded_at).isoformat()
    gone = await meldpunt.get(path)
    assert gone.status_code == 410
    assert f"Vernietigd op {day}" in gone.text.split('id="shredded-on">', 1)[1]
    assert "fiets" not in gone.text
    queue = (await meldpunt.get("/queue?status=closed")).text
    assert rows(queue) == [melding_id] and "vernietigd op" in queue
