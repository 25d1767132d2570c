"""The reporter's pages over HTTP (no browser): a post without our fresh form token, or
sent from another site, files nothing; the pages carry their security headers and set
no cookie; the API keeps its own headers."""

from __future__ import annotations

import re

import httpx

from services.intake.domain.report import Report
from shared.config import Settings
from shared.recorders import all_notifications
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


async def test_the_form_and_the_api_take_whom_a_melding_concerns(
    sqlite_settings: Settings,
) -> None:
    async with running("intake", sqlite_settings) as intake:
        client = intake.client
        page = await client.get("/")
        assert 'name="concerns" id="concerns-unknown" value="unknown" checked' in page.text
        # A value no radio button offers is named beside its field; nothing is filed.
        before = await _stored(intake)
        refused = await client.post("/", data={**FORM, "concerns": "king",
                                               "form_token": _token(page)})
        assert refused.status_code == 422
        assert 'id="concerns-error"' in refused.text and 'href="#concerns-unknown"' in refused.text
        assert await _stored(intake) == before

        filed = await client.post("/", data={**FORM, "concerns": "manager",
                                             "form_token": _token(refused)})
        assert filed.status_code == 200 and "receipt-code" in filed.text
        body = {"kind": "wrongdoing", "theme": "resources", "anonymous": True,
                "description": "Er verdwijnt geld uit de kas."}
        api = await client.post("/api/meldingen", json={**body, "concerns": "mayor"})
        assert api.status_code == 201, api.text
        bad = await client.post("/api/meldingen", json={**body, "concerns": "king"})
        assert bad.status_code == 422 and "concerns" in bad.text
        app = intake.application
        events = [app.mapper.to_domain_event(n) for n in all_notifications(app.recorder)]
        sent = [app.integration_event(e) for e in events if isinstance(e, Report.Filed)]
        assert sorted(e.concerns for e in sent) == ["manager", "mayor"]
