"""Intake's new parts in the console over HTTP (ASGI), calling real intake and triage
(a real nats-server, SQLite) as the signed-in person: on the melding page the record
(verslag) with its versions and the reporter's answers, the reporter's request to meet
and the meeting, a named reporter's identity reads and consent, feedback started from
triage's template; the meldpunt's list of requests to meet with their term; and a
confidential adviser's page of a melding they registered, with their conversation
with its reporter, and a manager's, with the record only. Every refusal names the
field and changes nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import LOCAL
from tests.consoleflows import ORIGIN, add, enrol, post, second_browser, sign_in
from tests.support import (
    MELDING,
    NatsServer,
    RunningService,
    eventually,
    make_settings,
    running,
    token,
)


@dataclass
class Procedure:
    intake: RunningService
    triage: RunningService
    console: RunningService
    clock: MovableClock


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         default_competent_authority="bert",
                         console_failure_delay_seconds=0.05)


def wall() -> datetime:
    # Behind the wall clock, which the services check tokens by (see test_console_queue).
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)


@pytest.fixture
async def procedure(settings: Settings) -> AsyncIterator[Procedure]:
    clock = MovableClock(wall())
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("console", settings, clock,
                    transports={"intake": httpx.ASGITransport(app=intake.app),
                                "triage": httpx.ASGITransport(app=triage.app)}) as console:
        console.client.base_url = ORIGIN
        yield Procedure(intake, triage, console, clock)


async def signed_in(p: Procedure, client: httpx.AsyncClient, sub: str, *roles: str) -> None:
    secret = await enrol(client, add(p.console.application, sub, *roles), p.clock)
    answer = await sign_in(client, sub, secret, p.clock)
    assert answer.status_code == 303, answer.text


async def reporter(p: Procedure, receipt: str) -> dict[str, str]:
    login = await p.intake.client.post("/api/mailbox/login", json={"receipt": receipt})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def local(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]* id="{name}"[^>]*>([^<]*)</textarea>', html)
    assert found, html
    return found.group(1)


async def test_the_meldpunt_works_the_record_meeting_identity_and_feedback(
    procedure: Procedure
) -> None:
    p = procedure
    # Filed eight days ago with a request to meet: its 7-day term has passed.
    p.clock.set(wall() - timedelta(days=8))
    filed = await p.intake.client.post("/api/meldingen",
                                       json={**MELDING, "meeting_requested": True})
    assert filed.status_code == 201, filed.text
    melding_id, receipt = filed.json()["id"], filed.json()["receipt"]
    p.clock.set(wall())
    client = p.console.client
    await signed_in(p, client, "mia", "meldpunt")
    mailbox = await reporter(p, receipt)

    async def arrived() -> bool:
        return (await client.get(f"/meldingen/{melding_id}")).status_code == 200

    await eventually(arrived)
    page = (await client.get(f"/meldingen/{melding_id}")).text
    assert 'id="intake"' in page and "De melder vroeg om een gesprek" in page
    assert "Niet beantwoord (telt als nee)" in page
    reads = re.search(r'id="identity-reads">(.*?)</ol>', page, re.S)
    assert reads and "mia" in reads.group(1)

    requests = (await client.get("/meeting-requests")).text
    row = re.search(rf'id="request-{melding_id}">(.*?)</tr>', requests, re.S)
    assert row and 'class="overdue-mark"' in row.group(1), requests
    assert (await client.get("/meeting-requests", params={"page": "x"})).status_code == 422

    # A written melding has no record until a meeting: intake's 409, in plain words.
    early = await post(client, f"/meldingen/{melding_id}/intake/record", page,
                       record_text="Verslag.")
    assert early.status_code == 409 and 'id="refusal"' in early.text
    assert 'Verslag.</textarea>' in early.text  # what was typed stays

    for held_at in ("gisteren", local(p.clock.now() + timedelta(days=1))):
        bad = await post(client, f"/meldingen/{melding_id}/intake/meeting", page,
                         held_at=held_at)
        assert bad.status_code == 422 and 'id="held_at-error"' in bad.text, held_at
    assert f'id="request-{melding_id}"' in (await client.get("/meeting-requests")).text
    met = await post(client, f"/meldingen/{melding_id}/intake/meeting", page,
                     held_at=local(p.clock.now() - timedelta(hours=1)))
    assert met.status_code == 303, met.text
    assert f'id="request-{melding_id}"' not in (await client.get("/meeting-requests")).text

    async def cleared() -> bool:
        return "Geen open verzoek om een gesprek." in (
            await client.get(f"/meldingen/{melding_id}")).text

    await eventually(cleared)

    # The record of the meeting: a version, the reporter's corrections, a new version.
    empty = await post(client, f"/meldingen/{melding_id}/intake/record", page,
                       record_text=" ")
    assert empty.status_code == 422 and 'id="record_text-error"' in empty.text
    first = await post(client, f"/meldingen/{melding_id}/intake/record", page,
                       record_text="Gesproken op maandag.")
    assert first.status_code == 303
    page = (await client.get(f"/meldingen/{melding_id}")).text
    assert "Wacht op de melder" in page and "Gesproken op maandag." in page
    answer = await p.intake.client.post("/api/mailbox/record", headers=mailbox, json={
        "version": 1, "approved": False, "corrections": "Het was dinsdag."})
    assert answer.status_code == 201, answer.text
    page = (await client.get(f"/meldingen/{melding_id}")).text
    assert "De melder stuurde correcties" in page and "Het was dinsdag." in page
    await post(client, f"/meldingen/{melding_id}/intake/record", page,
               record_text="Gesproken op dinsdag.")
    approved = await p.intake.client.post("/api/mailbox/record", headers=mailbox,
                                          json={"version": 2, "approved": True})
    assert approved.status_code == 201, approved.text
    page = (await client.get(f"/meldingen/{melding_id}")).text
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "Goedgekeurd door de melder" in page and "Versie 2" in page and "Versie 1" in page

    consent = await p.intake.client.post("/api/mailbox/identity-consent", headers=mailbox,
                                         json={"given": True})
    assert consent.status_code == 201, consent.text

    async def consented() -> bool:
        shown = (await client.get(f"/meldingen/{melding_id}")).text
        return 'id="identity-consent">Gegeven<' in shown

    await eventually(consented)

    # Feedback from triage's template: with its gap still open nothing is sent.
    page = (await client.get(f"/meldingen/{melding_id}")).text
    start = textarea(page, "feedback_body")
    assert "Wij laten u weten hoe het met uw melding staat." in start and "[…]" in start
    unfinished = await post(client, f"/meldingen/{melding_id}/messages", page, body=start,
                            purpose="feedback")
    assert unfinished.status_code == 422 and 'id="body-error"' in unfinished.text
    box = (await p.intake.client.get("/api/mailbox", headers=mailbox)).json()
    assert not any("Wij laten u weten" in m["body"] for m in box["messages"])
    chosen = (await client.get(f"/meldingen/{melding_id}",
                               params={"template": "inadmissible"})).text
    assert "niet in behandeling genomen" in textarea(chosen, "feedback_body")
    sent = await post(client, f"/meldingen/{melding_id}/messages", page,
                      body=start.replace("[…]", "Het onderzoek loopt."), purpose="feedback")
    assert sent.status_code == 303, sent.text

    async def delivered() -> bool:
        box = (await p.intake.client.get("/api/mailbox", headers=mailbox)).json()
        return any("Het onderzoek loopt." in m["body"] for m in box["messages"])

    await eventually(delivered)
    english = (await client.get(f"/meldingen/{melding_id}", params={"lang": "en"})).text
    assert "Record of the oral melding" in english and "Approved by the reporter" in english


async def test_an_adviser_keeps_in_touch_with_the_reporter_they_registered_for(
    procedure: Procedure
) -> None:
    p = procedure
    client = p.console.client
    await signed_in(p, client, "vera", "confidential_adviser")
    page = (await client.get("/register")).text
    filed = await post(client, "/register", page, channel="confidential_adviser_integrity",
                       kind="integrity_violation", theme="gifts", anonymous="true",
                       description="Een leverancier gaf een fiets.", received_how="in_person")
    assert filed.status_code == 201, filed.text
    found = re.search(r'id="receipt">([0-9 -]+)<', filed.text)
    assert found
    mailbox = await reporter(p, found.group(1))
    melding_id = (await p.intake.client.get("/api/mailbox", headers=mailbox)).json()["id"]

    opened = (await client.get("/registered")).text
    assert f'id="registration-{melding_id}"' in opened and 'id="open-form"' in opened
    assert (await client.get("/registered", params={"page": "0"})).status_code == 422
    missing = await client.get("/registered", params={"melding": " "})
    assert missing.status_code == 422 and 'id="melding_id-error"' in missing.text
    to = await client.get("/registered", params={"melding": melding_id})
    assert to.status_code == 303 and to.headers["location"] == f"/registered/{melding_id}"

    page = (await client.get(f"/registered/{melding_id}")).text
    assert 'id="record-none"' in page and 'id="adviser-form"' in page
    assert 'id="reveals"' in page
    blank = await post(client, f"/registered/{melding_id}/messages", page, adviser_body="")
    assert blank.status_code == 422 and 'id="adviser_body-error"' in blank.text
    wrote = await post(client, f"/registered/{melding_id}/messages", page,
                       adviser_body="Kunnen we morgen bellen?")
    assert wrote.status_code == 303
    box: dict[str, Any] = (await p.intake.client.get("/api/mailbox", headers=mailbox)).json()
    assert any(m["body"] == "Kunnen we morgen bellen?" for m in box["messages"])
    reply = await p.intake.client.post("/api/mailbox/messages", headers=mailbox,
                                       json={"body": "Ja, na tienen."})
    assert reply.status_code == 201, reply.text
    page = (await client.get(f"/registered/{melding_id}")).text
    assert "Ja, na tienen." in page and "Vertrouwenspersoon" in page
    english = (await client.get(f"/registered/{melding_id}", params={"lang": "en"})).text
    assert "Your messages with the reporter" in english and "Confidential adviser" in english
    await client.get(f"/registered/{melding_id}", params={"lang": "nl"})

    record = await post(client, f"/registered/{melding_id}/record", page,
                        record_text="Persoonlijk gesproken.")
    assert record.status_code == 303
    assert "Wacht op de melder" in (await client.get(f"/registered/{melding_id}")).text

    # Another adviser: intake's 404, as for a melding that does not exist.
    async with second_browser(p.console) as other:
        await signed_in(p, other, "wim", "confidential_adviser")
        assert (await other.get(f"/registered/{melding_id}")).status_code == 404
        page = (await other.get("/registered")).text
        assert 'id="nothing"' in page and melding_id not in page
        intruding = await post(other, f"/registered/{melding_id}/messages", page,
                               adviser_body="Hallo")
        assert intruding.status_code == 404
    box = (await p.intake.client.get("/api/mailbox", headers=mailbox)).json()
    assert not any(m["body"] == "Hallo" for m in box["messages"])


async def test_a_manager_writes_the_record_of_an_oral_melding_they_received(
    procedure: Procedure
) -> None:
    p = procedure
    client = p.console.client
    await signed_in(p, client, "max", "manager")
    page = (await client.get("/register")).text
    filed = await post(client, "/register", page, channel="manager",
                       kind="integrity_violation", theme="gifts", anonymous="false",
                       name="Jan Jansen", description="Een leverancier gaf een fiets.",
                       received_how="oral")
    assert filed.status_code == 201, filed.text
    link = re.search(r'href="(/registered/[^"]+)" id="registered-link"', filed.text)
    assert link
    page = (await client.get(link.group(1))).text
    # A manager has no conversation with the reporter: only the record.
    assert 'id="record-form"' in page and 'id="conversation"' not in page
    wrote = await post(client, f"{link.group(1)}/record", page,
                       record_text="Telefonisch gemeld.")
    assert wrote.status_code == 303
    assert "Telefonisch gemeld." in (await client.get(link.group(1))).text
    page = (await client.get("/registered")).text
    assert (await post(client, f"{link.group(1)}/messages", page,
                       adviser_body="Hallo")).status_code == 403


async def test_the_log_of_identity_fetches_for_the_adviser_and_no_one_else(
    procedure: Procedure, settings: Settings
) -> None:
    p = procedure
    client = p.console.client
    await signed_in(p, client, "vera", "confidential_adviser")
    assert 'id="nothing"' in (await client.get("/identity-reveals")).text
    anonymous = {**MELDING, "anonymous": True, "identity": {"name": "Mila Mailbox"}}
    filed = (await p.intake.client.post("/api/meldingen", json=anonymous)).json()
    fetched = await p.intake.client.get(
        f"/api/meldingen/{filed['id']}/sealed-identity",
        headers=token(settings, "confidential_adviser", "vera"))
    assert fetched.status_code == 200
    log = (await client.get("/identity-reveals")).text
    assert filed["id"][:8] in log and "vera" in log and "Mila" not in log
    assert (await client.get("/identity-reveals", params={"page": "x"})).status_code == 422

    async with second_browser(p.console) as other:
        await signed_in(p, other, "max", "manager")
        assert (await other.get("/identity-reveals")).status_code in (403, 404)
