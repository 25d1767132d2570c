"""Need-to-know in Chromium: the meldpunt names a staff member concerned in the
assessment, chosen from the directory on the melding page; that person, signed in,
finds nothing of the melding: not in the queue, and its page answers exactly as a
melding that does not exist. axe checks the melding page with its routing forms."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.browser.conftest import Live, Watched
from tests.browser.walker import Walker, submit, until
from tests.support import MELDING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

MISSING = "/meldingen/00000000-0000-4000-8000-000000000000"


def test_a_person_concerned_sees_nothing_of_the_melding(
    browser: Browser, live: Live, watched: Watched, artifacts: Path
) -> None:
    with ExitStack() as stack:
        w = Walker(browser, live, watched, artifacts, stack, javascript=True)
        # In the directory (and so in triage's view of it) before the assessment.
        concerned = w.staff("nina-ntk", "meldpunt")
        filed = httpx.post(f"{live.urls['intake']}/api/meldingen", json=MELDING)
        assert filed.status_code == 201, filed.text
        melding_url = f"/meldingen/{filed.json()['id']}"

        meldpunt = w.staff("mia-ntk", "meldpunt")
        until(meldpunt, melding_url, lambda p: p.is_visible("#concerned_staff-nina-ntk"))
        for choice in ("admissible-true", "reasonable_grounds-true", "code_violation-true",
                       "severity-medium", "advice-investigation", "concerned_staff-nina-ntk"):
            meldpunt.check(f"#{choice}")
        meldpunt.select_option("#concerns", "employee")
        meldpunt.fill("#assessment-form #motivation", "Voldoende aanwijzingen.")
        submit(meldpunt, "assessment-form")
        assert "De beoordeling is vastgelegd." in meldpunt.inner_text("#notice")
        assert "nina-ntk" in meldpunt.inner_text("#concerns")
        assert meldpunt.is_visible("#reassign-form") and meldpunt.is_visible("#recusal-form")
        w.check(meldpunt, "melding-routed")

        concerned.goto("/queue")
        assert concerned.locator(f"a[href='{melding_url}']").count() == 0
        answer = concerned.goto(melding_url)
        assert answer is not None and answer.status == 404
        seen = concerned.inner_text("main").replace(melding_url.rsplit("/", 1)[1], "<id>")
        missing = concerned.goto(MISSING)
        assert missing is not None and missing.status == 404
        assert seen == concerned.inner_text("main").replace(MISSING.rsplit("/", 1)[1], "<id>")
        assert "leverancier" not in concerned.content()
    assert {name: found for name, found in w.violations.items() if found} == {}
