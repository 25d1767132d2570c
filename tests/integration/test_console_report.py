"""The annual report in the console, calling real reporting (and intake, for a melding
to count; a real nats-server, SQLite) with the session: the figures as reporting
publishes them (small counts hidden), the CSV, and the auditor's verify and replay;
a year that is not one names the field; the competent authority reads the report
but is offered no audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import local_date
from tests.consoleflows import ORIGIN, add, enrol, post, sign_in
from tests.support import MELDING, NatsServer, RunningService, eventually, make_settings, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         console_failure_delay_seconds=0.05)


@pytest.fixture
async def console(settings: Settings) -> AsyncIterator[tuple[RunningService, MovableClock]]:
    # Behind the wall clock the services check tokens by (see test_console_queue).
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2))
    async with running("intake", settings, clock) as intake, \
            running("reporting", settings, clock) as reporting, \
            running("console", settings, clock,
                    transports={"reporting": httpx.ASGITransport(app=reporting.app)}
                    ) as console:
        console.client.base_url = ORIGIN
        assert (await intake.client.post("/api/meldingen", json=MELDING)).status_code == 201
        yield console, clock


async def test_the_auditor_reads_downloads_verifies_and_replays(
    console: tuple[RunningService, MovableClock]
) -> None:
    service, clock = console
    client = service.client
    secret = await enrol(client, add(service.application, "otto", "auditor"), clock)
    await sign_in(client, "otto", secret, clock)
    year = local_date(clock.now()).year

    async def counted() -> bool:
        page = await client.get("/report")
        return page.status_code == 200 and 'id="meldingen-total"' in page.text \
            and "&lt;3" in page.text

    await eventually(counted, timeout=20)
    page = (await client.get("/report")).text
    assert f"Jaarverslag {year}" in page and 'id="verify-form"' in page

    bad = await client.get("/report", params={"year": "20x6"})
    assert bad.status_code == 422 and 'id="year-error"' in bad.text

    csv = await client.get("/report/csv", params={"year": year})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "year,figure,category,value"
    assert f'filename="meldingen-{year}.csv"' in csv.headers["content-disposition"]

    verified = await post(client, "/report/verify", page, year=str(year))
    assert verified.status_code == 200, verified.text
    assert "Het logboek klopt" in verified.text
    replayed = await post(client, "/report/replay", page, year=str(year))
    assert replayed.status_code == 200 and "gebeurtenissen opnieuw verwerkt" in replayed.text


async def test_the_competent_authority_reads_the_report_but_runs_no_audit(
    console: tuple[RunningService, MovableClock]
) -> None:
    service, clock = console
    client = service.client
    secret = await enrol(client, add(service.application, "bert", "competent_authority"),
                         clock)
    await sign_in(client, "bert", secret, clock)

    async def ready() -> bool:
        return (await client.get("/report")).status_code == 200

    await eventually(ready, timeout=20)
    page = (await client.get("/report")).text
    assert 'id="verify-form"' not in page and 'id="replay-form"' not in page
    assert (await post(client, "/report/verify", page)).status_code == 403
