"""The reporter's pages speak one language at a time: the Dutch form asks for the day
as dag-maand-jaar, the form links to the mailbox, and an English reporter's mailbox
shows the acknowledgement in English only. Both pass axe-core."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.browser.conftest import LiveIntake
from tests.browser.helpers import fill_melding, receipt_on, serious_axe_violations


def test_the_dutch_form_takes_the_day_as_dag_maand_jaar(
    axe_page: Any, intake: LiveIntake
) -> None:
    page = axe_page
    page.goto("/")
    assert page.get_attribute("#occurred", "type") == "text"
    assert "15-03-2024" in page.inner_text("#occurred-hint")
    assert serious_axe_violations(page) == []
    fill_melding(page, anonymous=True)
    page.fill("#occurred", "01-03-2024")
    page.click("button[type=submit]")
    code = receipt_on(page)
    report = intake.application.get_report(intake.application.find_by_receipt(code))
    assert report.occurred == date(2024, 3, 1)


def test_an_english_reporter_finds_the_mailbox_and_reads_english_only(
    axe_page: Any, intake: LiveIntake
) -> None:
    page = axe_page
    page.goto("/?lang=en")
    fill_melding(page, anonymous=True)
    page.click("button[type=submit]")
    code = receipt_on(page)
    # The form itself links to the mailbox, in the page's language.
    page.goto("/?lang=en")
    page.click("#mailbox-link a")
    assert page.url.endswith("/mailbox?lang=en")
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    acknowledgement = page.locator(".message").first.inner_text()
    assert "We have received your report" in acknowledgement
    assert "ontvangen" not in acknowledgement
    assert serious_axe_violations(page) == []
