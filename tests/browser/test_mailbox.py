"""A reporter opens the mailbox with the receipt code, reads the acknowledgement and the
status in plain words, and answers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import LiveIntake
from tests.browser.helpers import file_by_api, fill_melding, receipt_on


def test_reporter_reads_the_acknowledgement_and_answers(page: Any, intake: LiveIntake) -> None:
    # File through the form, write the code down, follow the mailbox link.
    page.goto("/")
    fill_melding(page, anonymous=True)
    page.click("button[type=submit]")
    code = receipt_on(page)
    page.click("a.button")
    assert page.url == f"{intake.url}/mailbox"

    # Typed as written down: in groups with spaces.
    page.fill("#receipt", " ".join(code[i:i + 4] for i in range(0, 16, 4)))
    page.click("button[type=submit]")
    assert page.inner_text("#status") == "Uw melding is ontvangen en bevestigd."
    acknowledgement = page.locator(".message").first.inner_text()
    assert "Meldpunt (ontvangstbevestiging)" in acknowledgement
    assert "Wij hebben uw melding ontvangen" in acknowledgement
    assert code not in page.content()
    assert page.context.cookies() == []

    # An answer reaches the melding and shows in the conversation.
    page.fill("#body", "Ik heb nog een foto van de fiets.")
    page.click("button[type=submit]")
    assert page.inner_text(".notice.success") == "Uw bericht is verstuurd."
    assert "Ik heb nog een foto van de fiets." in page.locator(".message").last.inner_text()
    report = intake.application.get_report(intake.application.find_by_receipt(code))
    assert report.messages[-1]["from"] == "reporter"


def test_mailbox_in_english_without_javascript(
    page_without_js: Any, intake: LiveIntake
) -> None:
    page = page_without_js
    code = file_by_api(intake.url)
    page.goto("/mailbox?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    assert page.inner_text("#status") == "Your report has been received and acknowledged."
    assert "(acknowledgement of receipt)" in page.locator(".message").first.inner_text()


def test_wrong_code_is_refused_next_to_the_field(page: Any) -> None:
    page.goto("/mailbox")
    page.fill("#receipt", "0000 0000 0000 0000")
    page.click("button[type=submit]")
    error = page.locator("#receipt-error")
    assert "Deze code kennen wij niet" in error.inner_text()
    assert "receipt-error" in (page.get_attribute("#receipt", "aria-describedby") or "")
    assert page.get_attribute("#receipt", "aria-invalid") == "true"
    # The code typed is not shown back.
    assert page.input_value("#receipt") == ""


def test_empty_answer_is_refused_next_to_the_field(page: Any, intake: LiveIntake) -> None:
    code = file_by_api(intake.url)
    page.goto("/mailbox")
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    # The login goes once the page solved its proof of work: wait for the mailbox.
    page.wait_for_selector("#body")
    page.click("button[type=submit]")
    assert "Schrijf een bericht" in page.inner_text("#body-error")
    assert page.get_attribute("#body", "aria-invalid") == "true"


def test_with_javascript_a_guesser_on_the_same_address_locks_no_one_out(
    page: Any, intake: LiveIntake
) -> None:
    """The page solves the login's proof of work, so the reporter gets in although
    someone on the same address (here: this machine) used up its limit of failures.
    Last in this module: the address stays exhausted for the window."""
    code = file_by_api(intake.url)
    answers = [httpx.post(f"{intake.url}/api/mailbox/login", json={"receipt": f"{n:016d}"})
               for n in range(12)]
    assert answers[-1].status_code == 429
    page.goto("/mailbox")
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    assert page.inner_text("#status") == "Uw melding is ontvangen en bevestigd."
