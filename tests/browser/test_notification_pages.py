"""The notification pages in Chromium: from the account page to the choice of a daily
digest, the development mail page, and axe finds nothing serious on them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.helpers import serious_axe_violations as _axe
from tests.browser.staff import LiveConsole, enrol, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_choose_the_daily_digest_and_see_ones_mail(console_axe_page: Page,
                                                   console: LiveConsole,
                                                   artifacts: Path) -> None:
    page, clock = console_axe_page, console.clock
    secret = enrol(page, console.add("nora", "meldpunt"), clock)
    sign_in(page, "nora", secret, clock)
    page.wait_for_url(console.url + "/")
    found: dict[str, list[dict[str, Any]]] = {"home": _axe(page)}
    page.goto("/account")
    page.click("#notifications-link")
    page.wait_for_url("**/account/notifications")
    assert page.is_checked("#delivery-immediate")
    found["notifications"] = _axe(page)
    page.check("#delivery-digest")
    page.click("button[type=submit] >> text=Opslaan")
    page.wait_for_url("**/account/notifications?saved=1")
    assert "opgeslagen" in page.inner_text("#notice")
    assert page.is_checked("#delivery-digest")
    found["notifications saved"] = _axe(page)
    page.click("text=Verstuurde e-mail bekijken")
    page.wait_for_url("**/account/mail")
    assert page.is_visible("#no-mail")
    found["mail"] = _axe(page)
    page.screenshot(path=str(artifacts / "console-notifications.png"), full_page=True)
    assert {name: v for name, v in found.items() if v} == {}
    assert console.app.state.parts.notifier.delivery_of("nora") == "digest"
