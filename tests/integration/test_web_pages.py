"""The reporter's pages over HTTP (no browser): a post without our fresh form token, or
sent from another site, files nothing; the pages carry their security headers and set
no cookie; the API keeps its own headers."""

from __future__ import annotations

import re

import httpx

from shared.config import Settings
from tests.support import RunningService, running

FORM = {"lang": "nl", "kind": "wrongdoing", "theme": "resources",
        "description": "Er verdwijnt geld uit de kas.", "anonymous": "true"}


def _token(page: httpx.Response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


async def _stored(intake: RunningService) -> int:
    """How many events intake has stored so far."""
    return int(intake.application.recorder.max_notification_id() or 0)


async def test_forged_replayed_or_cross_site_posts_file_nothing(
    sqlite_settings: Settings,
) -> None:
    async with running("intake", sqlite_settings) as intake:
        client = intake.client
        token = _token(await client.get("/"))
        before = await _stored(intake)

        assert (await client.post("/", data=FORM)).status_code == 403
        assert (await client.post("/", data={**FORM, "form_token": token + "x"})
                ).status_code == 403
        cross = await client.post("/", data={**FORM, "form_token": token},
                                  headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status_code == 403
        assert "verlopen of al verstuurd" in cross.text
        assert await _stored(intake) == before

        token = _token(await client.get("/"))
        filed = await client.post("/", data={**FORM, "form_token": token},
                                  headers={"Sec-Fetch-Site": "same-origin"})
        assert filed.status_code == 200 and "receipt-code" in filed.text
        after = await _stored(intake)
        # Reloading the receipt page posts the same token again: no twin melding.
        assert (await client.post("/", data={**FORM, "form_token": token})).status_code == 403
        assert await _stored(intake) == after


async def test_pages_carry_security_headers_and_no_cookie(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        for path in ("/", "/?lang=en", "/mailbox", "/static/style.css",
                     "/static/vendor/libsodium-wrappers.js"):
            response = await intake.client.get(path)
            assert response.status_code == 200, path
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "set-cookie" not in response.headers
        assert (await intake.client.get("/")).headers["cache-control"] == "no-store"
        # Only the pages: the JSON API and its docs keep their own headers.
        api = await intake.client.get("/openapi.json")
        assert "content-security-policy" not in api.headers


async def test_mailbox_reply_needs_a_valid_mailbox_token(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        token = _token(await intake.client.get("/mailbox"))
        answer = await intake.client.post(
            "/mailbox/messages",
            data={"mailbox_token": "forged", "body": "hallo", "form_token": token})
        assert answer.status_code == 401
        assert 'id="receipt"' in answer.text  # back to entering the code
