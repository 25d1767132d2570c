"""Protection against disadvantage in Chromium, with axe on each page: the meldpunt
marks a witness to protect (a form sent empty names the field) and records their
complaint of reprisal, the competent authority handles it, and after the closing the
meldpunt finds the check-in on the home page and records it; the same again with
JavaScript off."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from shared.terms import LOCAL
from tests.browser.conftest import Live, Watched
from tests.browser.walker import Walker, hand_to, submit, until
from tests.support import MELDING, assessment, token

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.parametrize("javascript", [True, False], ids=["axe", "no-js"])
def test_a_witness_is_protected_and_checked_in_with(
    browser: Browser, live: Live, watched: Watched, artifacts: Path,
    javascript: bool
) -> None:
    tag = "js" if javascript else "nojs"
    with ExitStack() as stack:
        w = Walker(browser, live, watched, artifacts, stack, javascript=javascript)
        filed = httpx.post(f"{live.urls['intake']}/api/meldingen", json=MELDING)
        assert filed.status_code == 201, filed.text
        melding_id = filed.json()["id"]
        melding = f"/meldingen/{melding_id}"
        meldpunt = w.staff(f"mia-protect-{tag}", "meldpunt")
        until(meldpunt, melding, lambda p: p.locator("#protected-person-form").count() == 1)
        w.check(meldpunt, "protection")
        submit(meldpunt, "protected-person-form")
        assert meldpunt.is_visible("#protected_name-error")
        assert meldpunt.is_visible("#protected_role-error")
        w.check(meldpunt, "protection-errors")
        meldpunt.fill("#protected_name", "Gerrit Getuige")
        meldpunt.check("#protected_role-witness")
        submit(meldpunt, "protected-person-form")
        assert "Gerrit Getuige (getuige)" in meldpunt.inner_text("#protected-persons")
        meldpunt.select_option("#person_id", "1")
        meldpunt.fill("#complaint_description", "Overgeplaatst na het interview.")
        meldpunt.fill("#complaint_received_on",
                      datetime.now(UTC).astimezone(LOCAL).date().isoformat())
        submit(meldpunt, "complaint-form")
        assert "Nog niet afgehandeld" in meldpunt.inner_text("#reprisal-complaints")
        w.check(meldpunt, "protection-complaint")

        # Assessed, and handed to a competent authority, who handles the complaint.
        answer = httpx.post(f"{live.urls['triage']}/api/meldingen/{melding_id}/assessment",
                            headers=token(live.settings, "meldpunt", f"mia-protect-{tag}"),
                            json=assessment(advice="no_action"))
        assert answer.status_code == 200, answer.text
        authority = w.staff(f"bert-protect-{tag}", "competent_authority")
        hand_to(live, melding, f"bert-protect-{tag}")
        authority.goto(melding)
        authority.check("#handling_outcome-measures_taken")
        submit(authority, "handling-form")
        assert authority.is_visible("#handling_motivation-error")
        authority.fill("#handling_motivation", "Overplaatsing teruggedraaid.")
        submit(authority, "handling-form")
        assert "Maatregelen genomen" in authority.inner_text("#reprisal-complaints")
        w.check(authority, "protection-handled")
        answer = httpx.post(f"{live.urls['triage']}/api/meldingen/{melding_id}/decision",
                            headers=token(live.settings, "competent_authority",
                                          f"bert-protect-{tag}"),
                            json={"outcome": ["no_action"], "motivation": "Geen grond."})
        assert answer.status_code == 200, answer.text

        # Closed: the meldpunt's home page asks for the check-in.
        until(meldpunt, "/", lambda p: p.locator(
            f'#waiting-deadlines a[href="{melding}#protection"]').count() == 1)
        w.check(meldpunt, "home-waiting")
        meldpunt.click(f'#waiting-deadlines a[href="{melding}#protection"]')
        meldpunt.check("#disadvantage-false")
        meldpunt.fill("#check_in_notes", "Gesproken; geen nadeel.")
        submit(meldpunt, "check-in-form")
        assert "Geen benadeling" in meldpunt.inner_text("#check-ins")
        w.check(meldpunt, "protection-checked-in")
    assert {name: found for name, found in w.violations.items() if found} == {}
