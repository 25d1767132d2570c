"""Intake's new parts in Chromium, with axe on each page: the meldpunt records a
meeting and a version of the record on the melding page and sees the request to meet
leave its list; a confidential adviser registers an in-person melding, opens it from
the registration and writes to its reporter; the same again with JavaScript off."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from shared.terms import LOCAL
from tests.browser.conftest import Live, Watched
from tests.browser.walker import Walker, submit, until
from tests.support import MELDING

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.parametrize("javascript", [True, False], ids=["axe", "no-js"])
def test_the_meldpunt_and_an_adviser_work_intakes_parts(
    browser: Browser, live: Live, watched: Watched, artifacts: Path,
    javascript: bool
) -> None:
    tag = "js" if javascript else "nojs"
    with ExitStack() as stack:
        w = Walker(browser, live, watched, artifacts, stack, javascript=javascript)
        filed = httpx.post(f"{live.urls['intake']}/api/meldingen",
                           json={**MELDING, "meeting_requested": True})
        assert filed.status_code == 201, filed.text
        melding_id = filed.json()["id"]
        meldpunt = w.staff(f"mia-intake-{tag}", "meldpunt")
        until(meldpunt, "/meeting-requests",
              lambda p: p.locator(f"#request-{melding_id}").count() == 1)
        w.check(meldpunt, "meeting-requests")
        meldpunt.click(f"#request-{melding_id} a")
        assert "De melder vroeg om een gesprek" in meldpunt.inner_text("#meeting-request")
        w.check(meldpunt, "melding-intake")
        held = (datetime.now(UTC) - timedelta(hours=1)).astimezone(LOCAL)
        meldpunt.fill("#held_at", held.strftime("%Y-%m-%dT%H:%M"))
        submit(meldpunt, "meeting-form")
        assert "Het gesprek is vastgelegd." in meldpunt.inner_text("#intake-notice")
        meldpunt.fill("#record_text", "Gesproken over de fiets.")
        submit(meldpunt, "record-form")
        assert "Wacht op de melder" in meldpunt.inner_text("#record-status")
        w.check(meldpunt, "melding-record")
        meldpunt.goto("/meeting-requests")
        assert meldpunt.locator(f"#request-{melding_id}").count() == 0

        adviser = w.staff(f"vera-intake-{tag}", "confidential_adviser")
        adviser.goto("/register")
        for choice in ("channel-confidential_adviser_integrity",
                       "kind-integrity_violation", "received_how-in_person",
                       "anonymous-true"):
            adviser.check(f"#{choice}")
        adviser.select_option("#theme", "gifts")
        adviser.fill("#description", "Een leverancier gaf een fiets.")
        submit(adviser, "register-form")
        adviser.click("#registered-link")
        assert adviser.is_visible("#record-none") and adviser.is_visible("#reveals")
        w.check(adviser, "registered-melding")
        submit(adviser, "adviser-form")
        assert adviser.is_visible("#adviser_body-error")
        w.check(adviser, "registered-melding-error")
        adviser.fill("#adviser_body", "Kunnen we morgen bellen?")
        submit(adviser, "adviser-form")
        assert "Kunnen we morgen bellen?" in adviser.inner_text("#adviser-messages")
        adviser.goto("/registered")
        w.check(adviser, "registered")
    assert {name: found for name, found in w.violations.items() if found} == {}
