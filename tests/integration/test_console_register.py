"""Registering a melding on a reporter's behalf in the console, calling real intake
(a real nats-server, SQLite) as the signed-in confidential adviser: intake's refusals
name the fields, the receipt is shown once and opens the reporter's mailbox, an
anonymous reporter's identity is not sent at all; and a contact moment."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import LOCAL
from tests.consoleflows import ORIGIN, add, enrol, post, sign_in
from tests.support import NatsServer, RunningService, make_settings, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         console_failure_delay_seconds=0.05)


@pytest.fixture
async def services(settings: Settings
                   ) -> AsyncIterator[tuple[RunningService, RunningService, MovableClock]]:
    # Behind the wall clock the services check tokens by (see test_console_queue).
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2))
    async with running("intake", settings, clock) as intake, \
            running("console", settings, clock,
                    transports={"intake": httpx.ASGITransport(app=intake.app)}) as console:
        console.client.base_url = ORIGIN
        yield intake, console, clock


async def test_an_adviser_registers_an_anonymous_melding_and_hands_on_the_receipt(
    services: tuple[RunningService, RunningService, MovableClock]
) -> None:
    intake, console, clock = services
    client = console.client
    secret = await enrol(client, add(console.application, "vera", "confidential_adviser"),
                         clock)
    await sign_in(client, "vera", secret, clock)
    page = (await client.get("/register")).text
    assert 'value="confidential_adviser_conduct"' in page and 'value="web"' not in page

    refused = await post(client, "/register", page, channel="confidential_adviser_integrity",
                         description="  ")
    assert refused.status_code == 422
    for field in ("kind", "theme", "description", "anonymous"):
        assert f'id="{field}-error"' in refused.text, field
    assert 'id="receipt"' not in refused.text

    filed = await post(client, "/register", page, channel="confidential_adviser_integrity",
                       kind="integrity_violation", theme="gifts", anonymous="true",
                       description="Een leverancier gaf een fiets.", name="Jan Jansen",
                       involved="afdelingshoofd inkoop\n")
    assert filed.status_code == 201, filed.text
    found = re.search(r'id="receipt">([0-9 -]+)<', filed.text)
    assert found, filed.text
    assert 'lang=en' not in filed.text  # no switch away from the only sight of it
    receipt = found.group(1)
    login = await intake.client.post("/api/mailbox/login", json={"receipt": receipt})
    assert login.status_code == 200, login.text
    # Shown once: the page itself does not show it again.
    assert receipt not in (await client.get("/register")).text
    # Anonymous: the name typed beside it did not leave the console.
    mailbox = await intake.client.get(
        "/api/mailbox", headers={"Authorization": f"Bearer {login.json()['token']}"})
    report = intake.application.get_report(UUID(mailbox.json()["id"]))
    assert report.anonymous and report.identity is None and report.sealed_identity is None
    assert report.channel == "confidential_adviser_integrity"

    # Received a week ago and registered only now: intake asks why, naming the field.
    week_ago = (clock.now() - timedelta(days=7)).astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")
    late = await post(client, "/register", page, channel="confidential_adviser_integrity",
                      kind="integrity_violation", theme="gifts", anonymous="true",
                      description="Een fiets.", received_how="oral", received_at=week_ago)
    assert late.status_code == 422 and 'id="received_reason-error"' in late.text
    explained = await post(client, "/register", page, channel="confidential_adviser_integrity",
                           kind="integrity_violation", theme="gifts", anonymous="true",
                           description="Een fiets.", received_how="oral", received_at=week_ago,
                           received_reason="De melder belde tijdens mijn vakantie.")
    assert explained.status_code == 201, explained.text[explained.text.find("<main"):][:1500]

    page = (await client.get("/register")).text
    bad = await post(client, "/contact-moments", page, contact_adviser="integrity",
                     contact_theme="gifts", contact_date="gisteren")
    assert bad.status_code == 422 and 'id="contact_date-error"' in bad.text
    moment = await post(client, "/contact-moments", page, contact_adviser="integrity",
                        contact_theme="gifts", contact_date="2026-11-30")
    assert moment.status_code == 201 and "Het contactmoment is vastgelegd." in moment.text


async def test_a_manager_registers_through_their_own_channel_only(
    services: tuple[RunningService, RunningService, MovableClock]
) -> None:
    _, console, clock = services
    client = console.client
    secret = await enrol(client, add(console.application, "max", "manager"), clock)
    await sign_in(client, "max", secret, clock)
    page = (await client.get("/register")).text
    assert 'value="manager"' in page and "confidential_adviser_integrity" not in page
    assert 'id="contact-form"' not in page
    assert (await post(client, "/contact-moments", page, contact_adviser="integrity",
                       contact_theme="gifts", contact_date="2026-11-30")).status_code == 403
