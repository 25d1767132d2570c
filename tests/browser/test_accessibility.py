"""WCAG 2.1 AA basics on the form, receipt and mailbox pages: axe-core finds nothing
serious, the keyboard alone files a melding with the focus always visible, and the pages
fit a phone and 200% zoom without sideways scrolling. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveIntake
from tests.browser.helpers import file_by_api, fill_melding, receipt_on
from tests.browser.helpers import serious_axe_violations as axe_violations

FOCUS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
}"""


def _shoot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_form_receipt_and_mailbox_have_no_serious_axe_violations(
    axe_page: Any, intake: LiveIntake, artifacts: Path
) -> None:
    page = axe_page
    found: dict[str, list[dict[str, Any]]] = {}

    page.goto("/")
    found["form"] = axe_violations(page)
    _shoot(page, artifacts, "form")

    page.click("button[type=submit]")
    found["form with errors"] = axe_violations(page)
    _shoot(page, artifacts, "form-errors")

    fill_melding(page, anonymous=True)
    page.click("button[type=submit]")
    code = receipt_on(page)
    found["receipt"] = axe_violations(page)
    _shoot(page, artifacts, "receipt")

    page.goto("/mailbox")
    found["mailbox code"] = axe_violations(page)
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    page.wait_for_selector("#status")
    found["mailbox"] = axe_violations(page)
    _shoot(page, artifacts, "mailbox")

    assert {name: v for name, v in found.items() if v} == {}


def test_keyboard_alone_files_a_melding(page: Any) -> None:
    page.goto("/")
    # The first Tab reaches the skip link, which is visible once focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator(".skip").bounding_box()["x"] >= 0

    _tab_to(page, "#kind-integrity_violation")
    page.keyboard.press("Space")
    _tab_to(page, "#theme-interests")
    page.keyboard.press("ArrowDown")  # moves to and chooses the next theme
    _tab_to(page, "#description")
    page.keyboard.type("Er verdwijnen laptops uit het magazijn.")
    _tab_to(page, "#anonymous-false")
    page.keyboard.press("ArrowDown")  # anonymous
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_selector("#receipt-code")
    receipt_on(page)
    assert "zonder contactgegevens" in page.inner_text("#sealing")
    _tab_to(page, "a.button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#receipt")


def test_first_error_gets_the_focus_after_a_failed_post(page_without_js: Any) -> None:
    page = page_without_js
    page.goto("/")
    page.click("button[type=submit]")
    # The click returns before the answer's page has loaded and applied autofocus:
    # wait for it (up to the default timeout) rather than read the focus at once.
    page.wait_for_function(
        "document.activeElement && document.activeElement.className === 'error-summary'")
    assert page.evaluate("document.activeElement.className") == "error-summary"


@pytest.mark.parametrize(("width", "height"), [(320, 640), (640, 800)],
                         ids=["phone", "zoom-200"])
def test_pages_fit_narrow_screens_without_sideways_scrolling(
    width: int, height: int, page: Any, intake: LiveIntake, artifacts: Path
) -> None:
    # 320 CSS pixels is a 1280 pixel window at 400% zoom, 640 at 200% (WCAG 1.4.10, 1.4.4).
    page.set_viewport_size({"width": width, "height": height})
    code = file_by_api(intake.url)
    page.goto("/")
    assert _fits(page)
    _shoot(page, artifacts, f"form-{width}")
    fill_melding(page, anonymous=True)
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-code")
    assert _fits(page)
    _shoot(page, artifacts, f"receipt-{width}")
    page.goto("/mailbox")
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    page.wait_for_selector("#status")
    assert _fits(page)
    _shoot(page, artifacts, f"mailbox-{width}")


def _fits(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element has the focus, checking that the focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_VISIBLE), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_english_pages_have_no_serious_axe_violations(axe_page: Any) -> None:
    page = axe_page
    found: dict[str, list[dict[str, Any]]] = {}
    page.goto("/?lang=en")
    page.click("button[type=submit]")
    assert page.title().startswith("Error: ")
    found["form with errors"] = axe_violations(page)
    page.goto("/mailbox?lang=en")
    page.fill("#receipt", "1234")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-error")  # sent once the proof of work is solved
    found["mailbox code refused"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
