"""Mistakes in the form are shown next to their field, announced, and linked from a
summary; what the reporter typed stays. With JavaScript the same happens for contact
details that the server cannot check because they are sealed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import fill_melding, posted_fields

MISSING = {
    "kind": "Kies wat u wilt melden.",
    "theme": "Kies een onderwerp.",
    "description": "Beschrijf wat er is gebeurd",
    "anonymous": "Kies of u anoniem meldt of met uw naam.",
}
SAME_GROUP = """(field) => {
  const group = document.getElementById(field + '-error').closest('fieldset, .field');
  return group.querySelector(`[name="${field}"]`) !== null;
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_empty_form_shows_each_error_next_to_its_field(
    javascript: bool, page: Any, page_without_js: Any
) -> None:
    page = page if javascript else page_without_js
    page.goto("/")
    page.fill("#involved", "de wethouder")
    page.click("button[type=submit]")

    assert page.title().startswith("Fout: ")
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    for field, message in MISSING.items():
        error = page.locator(f"#{field}-error")
        assert message in error.inner_text()
        # The error sits in the field's own group and is tied to it for screen readers.
        assert page.evaluate(SAME_GROUP, field)
        assert page.locator(f"[aria-describedby~='{field}-error']").count() == 1
        assert message in summary.inner_text()
    assert page.get_attribute("#description", "aria-invalid") == "true"
    # What was typed is still there.
    assert page.input_value("#involved") == "de wethouder"


def test_summary_links_take_the_reporter_to_the_field(page: Any) -> None:
    page.goto("/")
    page.click("button[type=submit]")
    page.click(".error-summary a[href='#description']")
    assert page.evaluate("document.activeElement.id") == "description"


def test_named_melding_without_name_and_bad_email(page_without_js: Any) -> None:
    page = page_without_js
    page.goto("/")
    fill_melding(page, anonymous=False, identity={"email": "geen-adres", "phone": "abc"})
    page.click("button[type=submit]")
    assert "Vul uw naam in" in page.inner_text("#name-error")
    assert "geldig e-mailadres" in page.inner_text("#email-error")
    assert "alleen cijfers" in page.inner_text("#phone-error")
    assert page.input_value("#email") == "geen-adres"


def test_future_date_is_refused(page_without_js: Any) -> None:
    page = page_without_js
    page.goto("/")
    fill_melding(page, anonymous=True)
    page.fill("#occurred", "2999-01-01")
    page.click("button[type=submit]")
    assert "niet in de toekomst" in page.inner_text("#occurred-error")


def test_sealed_details_are_checked_in_the_browser(page: Any) -> None:
    page.goto("/")
    page.wait_for_function(
        "document.getElementById('sealing-status').textContent.includes('browser')")
    fill_melding(page, anonymous=True, identity={"email": "geen-adres"})
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.click("button[type=submit]")

    # Nothing was sent: the error is next to the field and the field has the focus.
    assert "geldig e-mailadres" in page.inner_text("#email-error")
    assert page.evaluate("document.activeElement.id") == "email"
    assert page.get_attribute("#email", "aria-invalid") == "true"
    assert posts == []


def test_sealed_details_survive_an_error_elsewhere(page: Any) -> None:
    page.goto("/")
    page.wait_for_function(
        "document.getElementById('sealing-status').textContent.includes('browser')")
    fill_melding(page, anonymous=True, identity={"name": "Anna"})
    page.fill("#description", "")
    page.click("button[type=submit]")
    assert page.locator("#description-error").is_visible()
    # The box sealed before the error is kept; the plain name never came back.
    assert page.input_value("input[name=identity_sealed]") != ""
    assert page.input_value("#name") == ""
    page.fill("#description", "Nu wel ingevuld.")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("button[type=submit]")
    assert posted_fields(posted.value)["identity_sealed"] != [""]
    page.wait_for_selector("#receipt-code")
    assert "in uw eigen browser versleuteld" in page.inner_text("#sealing")
