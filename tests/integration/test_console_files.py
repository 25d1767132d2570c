"""The console's melding page lists the reporter's files and downloads them through
triage as the signed-in person (issue 19), who is then in the melding's history."""

from __future__ import annotations

from shared.config import Settings
from tests.files import gps_of, jpeg_with_gps
from tests.integration.test_console_queue import (  # noqa: F401 - the fixtures
    Procedure,
    procedure,
    settings,
    signed_in,
)
from tests.support import eventually, ok, token


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
