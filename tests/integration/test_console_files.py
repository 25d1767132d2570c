"""The console's melding and case pages list the reporter's files and download them
through triage or investigation as the signed-in person (issue 19), who is then in
the melding's or the case's history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from shared.config import Settings
from shared.files.store import chunks_of
from tests.consoleflows import ORIGIN, BehindWallClock, post
from tests.files import gps_of, jpeg_with_gps
from tests.integration.test_console_cases import Procedure as CaseProcedure
from tests.integration.test_console_cases import signed_in as case_signed_in
from tests.integration.test_console_queue import (  # noqa: F401 - the fixture
    Procedure,
    settings,
    signed_in,
)
from tests.streaming import StreamingASGITransport
from tests.support import MELDING, eventually, ok, running, token


@pytest.fixture
async def procedure(settings: Settings) -> AsyncIterator[Procedure]:  # noqa: F811
    """As the queue's, on a clock that moves on with the wall clock (`BehindWallClock`)."""
    clock = BehindWallClock(timedelta(minutes=3))
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("console", settings, clock,
                    transports={"triage": httpx.ASGITransport(app=triage.app)}) as console:
        console.client.base_url = ORIGIN
        yield Procedure(intake, triage, console, clock)


#: Over a few of the files stream's chunks, so it comes to the console in parts.
STATEMENT = b"Op 3 maart zag ik de leverancier de fiets afleveren.\n" * 16_000


async def test_the_meldpunt_sees_and_downloads_the_files_on_the_melding_page(
        procedure: Procedure, settings: Settings) -> None:  # noqa: F811 - fixtures
    p = procedure
    # The reporter's photo, through the mailbox.
    filed = await ok(p.intake.client.post("/api/meldingen", json={
        "kind": "integrity_violation", "theme": "gifts", "anonymous": True,
        "description": "Een fiets als cadeau."}), 201)
    melding_id = filed["id"]
    logged_in = await ok(p.intake.client.post("/api/mailbox/login",
                                              json={"receipt": filed["receipt"]}))
    mailbox = {"Authorization": f"Bearer {logged_in['token']}"}
    sent = await ok(p.intake.client.post("/api/mailbox/attachments", headers=mailbox,
                                         files={"file": ("fiets.jpg", jpeg_with_gps())}), 201)
    meldpunt = token(settings, "meldpunt", "mia")

    async def arrived() -> bool:
        listed = await p.triage.client.get(f"/api/meldingen/{melding_id}/attachments",
                                           headers=meldpunt)
        return listed.is_success and len(listed.json()) == 1

    await eventually(arrived)

    await signed_in(p, p.console.client, "mia", "meldpunt")
    page = await p.console.client.get(f"/meldingen/{melding_id}")
    assert page.status_code == 200, page.text
    link = f"/meldingen/{melding_id}/attachments/{sent['id']}"
    assert f'href="{link}"' in page.text and "fiets.jpg" in page.text
    downloaded = await p.console.client.get(link)
    assert downloaded.status_code == 200
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert gps_of(downloaded.content) == {}
    history = (await ok(p.triage.client.get(f"/api/meldingen/{melding_id}",
                                            headers=meldpunt)))["history"]
    assert any(h["what"] == f"attachment {sent['id']} downloaded" and h["who"] == "mia"
               for h in history)


async def test_the_competent_authority_downloads_the_files_on_the_case_page(
        settings: Settings) -> None:  # noqa: F811 - the fixture
    clock = BehindWallClock(timedelta(minutes=4))
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("investigation", settings, clock) as investigation:
        transports = {"triage": httpx.ASGITransport(app=triage.app),
                      "investigation": httpx.ASGITransport(app=investigation.app)}
        async with running("console", settings, clock, transports=transports) as console:
            console.client.base_url = ORIGIN
            p = CaseProcedure(intake, console, clock)
            filed = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
            melding_id = filed["id"]
            logged_in = await ok(intake.client.post("/api/mailbox/login",
                                                    json={"receipt": filed["receipt"]}))
            mailbox = {"Authorization": f"Bearer {logged_in['token']}"}
            sent = await ok(intake.client.post(
                "/api/mailbox/attachments", headers=mailbox,
                files={"file": ("verslag.txt", STATEMENT)}), 201)
            authority = console.client
            await case_signed_in(p, authority, "bert", "meldpunt", "competent_authority")
            melding = f"/meldingen/{melding_id}"

            async def arrived() -> bool:
                page = (await authority.get(melding)).text
                return 'id="assessment-form"' in page and "verslag.txt" in page

            await eventually(arrived)
            page = (await authority.get(melding)).text
            await post(authority, f"{melding}/assessment", page, admissible="true",
                       reasonable_grounds="true", code_violation="true", severity="high",
                       theme="gifts", advice="investigation", motivation="Ernstig genoeg.")
            page = (await authority.get(melding)).text
            await post(authority, f"{melding}/decision", page, outcome="investigation",
                       motivation="Een onderzoek is nodig.")
            case = f"/cases/{melding_id}"

            async def opened() -> bool:
                return (await authority.get(case)).status_code == 200

            await eventually(opened)
            page = (await authority.get(case)).text
            link = f"{case}/attachments/{sent['id']}"
            assert f'href="{link}"' in page and "verslag.txt" in page
            downloaded = await authority.get(link)
            assert downloaded.status_code == 200, downloaded.text
            assert downloaded.content == STATEMENT
            assert downloaded.headers["x-content-type-options"] == "nosniff"
            assert downloaded.headers["content-disposition"].startswith("attachment;")
            assert downloaded.headers["content-length"] == str(len(STATEMENT))
            history = (await authority.get(case)).text
            assert f"attachment {sent['id']} downloaded" in history
            # An unknown file is investigation's 404, shown as the console's page.
            assert (await authority.get(f"{case}/attachments/nope")).status_code == 404


async def test_the_console_passes_a_download_on_as_it_comes(settings: Settings  # noqa: F811
                                                             ) -> None:
    clock = BehindWallClock(timedelta(minutes=4))
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        transports = {"triage": StreamingASGITransport(triage.app)}
        async with running("console", settings, clock, transports=transports) as console:
            console.client.base_url = ORIGIN
            filed = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
            melding_id = filed["id"]
            logged_in = await ok(intake.client.post("/api/mailbox/login",
                                                    json={"receipt": filed["receipt"]}))
            sent = await ok(intake.client.post(
                "/api/mailbox/attachments",
                headers={"Authorization": f"Bearer {logged_in['token']}"},
                files={"file": ("verslag.txt", STATEMENT)}), 201)
            meldpunt = token(settings, "meldpunt", "mia")

            async def arrived() -> bool:
                listed = await triage.client.get(f"/api/meldingen/{melding_id}/attachments",
                                                 headers=meldpunt)
                return listed.is_success and len(listed.json()) == 1

            await eventually(arrived)
            p = CaseProcedure(intake, console, clock)
            await case_signed_in(p, console.client, "mia", "meldpunt")
            browser = httpx.AsyncClient(transport=StreamingASGITransport(console.app),
                                        base_url=ORIGIN, cookies=console.client.cookies)
            async with browser, browser.stream(
                    "GET", f"/meldingen/{melding_id}/attachments/{sent['id']}") as answer:
                assert answer.status_code == 200
                parts = [part async for part in answer.aiter_raw()]
            # The files stream's chunks, each passed on as it came from triage.
            assert len(parts) == chunks_of(len(STATEMENT)) > 1
            assert b"".join(parts) == STATEMENT
