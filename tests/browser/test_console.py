"""The console in Chromium, as staff use it: enrol from the CLI's link (the secret read
from the page, codes computed with pyotp), sign in, each role's home page, sign out;
the lockout; a session that ends with the clock moved on; a forged form refused; an
administrator adding and disabling someone; axe finds nothing serious on any page."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyotp
import pytest

from shared.roles import STAFF_ROLES
from tests.browser.helpers import serious_axe_violations as _axe
from tests.browser.staff import LiveConsole, enrol, sign_in, sign_out
from tests.consoleflows import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def page(console_page: Page) -> Page:
    return console_page


@pytest.fixture
def axe_page(console_axe_page: Page) -> Page:
    return console_axe_page


def test_enrol_from_the_cli_link_sign_in_and_out(page: Page, console: LiveConsole) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    environment.update(MELDINGEN_VAR_DIR=str(console.settings.var_dir),
                       MELDINGEN_CONSOLE_URL=console.url)
    added = subprocess.run(
        [sys.executable, "-m", "shared.cli", "staff", "add", "--sub", "mia", "--name",
         "Mia Meldpunt", "--email", "mia@example.org", "--role", "meldpunt"],
        env=environment, capture_output=True, text=True, timeout=60, check=True)
    link = added.stdout.strip().splitlines()[-1]
    secret = enrol(page, link, console.clock)
    sign_in(page, "mia", secret, console.clock)
    page.wait_for_url(console.url + "/")
    assert page.inner_text("h1") == "Welkom, Mia Meldpunt"
    assert "Intern meldpunt" in page.inner_text("#role-meldpunt")
    page.click("text=English")
    assert page.inner_text("h1") == "Welcome, Mia Meldpunt"
    page.click("text=Nederlands")
    sign_out(page)
    page.goto("/")
    page.wait_for_url("**/signin*")


def test_each_role_has_its_home_page(page: Page, console: LiveConsole) -> None:
    for role in STAFF_ROLES:
        sub = f"home-{role}"
        secret = enrol(page, console.add(sub, role), console.clock)
        sign_in(page, sub, secret, console.clock)
        page.wait_for_url(console.url + "/")
        assert page.locator("section.role").count() == 1
        assert page.is_visible(f"#role-{role}")
        assert page.is_visible("a[href='/staff']") == (role == "administrator")
        sign_out(page)


def test_failed_attempts_lock_the_account(page: Page, console: LiveConsole) -> None:
    secret = enrol(page, console.add("lotte", "auditor"), console.clock)
    for attempt in range(1, 6):
        page.goto("/signin")
        page.fill("#login", "lotte")
        page.fill("#password", "dit is het niet")
        page.click("button[type=submit] >> text=Verder")
        expected = "tijdelijk geblokkeerd" if attempt == 5 else "Inloggen is niet gelukt"
        assert expected in page.inner_text("[role=alert]")
    # Locked: the right password does not get in either.
    page.fill("#login", "lotte")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=Verder")
    assert "tijdelijk geblokkeerd" in page.inner_text("[role=alert]")
    console.clock.advance(timedelta(minutes=15))
    sign_in(page, "lotte", secret, console.clock)
    page.wait_for_url(console.url + "/")


def test_a_session_ends_after_thirty_idle_minutes(page: Page, console: LiveConsole) -> None:
    secret = enrol(page, console.add("ids", "investigator"), console.clock)
    sign_in(page, "ids", secret, console.clock)
    page.wait_for_url(console.url + "/")
    console.clock.advance(timedelta(minutes=31))
    page.goto("/account")
    page.wait_for_url("**/signin?ended=1")
    assert "Uw sessie is verlopen" in page.inner_text("#notice")


def test_a_forged_form_is_refused(page: Page, console: LiveConsole) -> None:
    secret = enrol(page, console.add("fenna", "manager"), console.clock)
    sign_in(page, "fenna", secret, console.clock)
    page.wait_for_url(console.url + "/")
    page.eval_on_selector("form[action='/signout'] input[name=csrf]", "e => e.value = 'x'")
    page.click("button >> text=Uitloggen")
    assert "Het formulier is verlopen" in page.inner_text("#notice")
    page.goto("/")
    assert page.inner_text("h1") == "Welkom, Fenna"  # still signed in


def test_an_administrator_adds_and_disables_someone(page: Page, console: LiveConsole) -> None:
    secret = enrol(page, console.add("admin", "administrator"), console.clock)
    sign_in(page, "admin", secret, console.clock)
    page.click("nav >> text=Personeel")
    page.click("button >> text=Toevoegen")  # nothing filled in: each field is named
    for field in ("sub", "name", "email", "roles"):
        assert page.is_visible(f"#{field}-error")
    page.fill("#sub", "sem")
    page.fill("#name", "Sem Smit")
    page.fill("#email", "sem@example.org")
    page.check("#roles-investigator")
    page.fill("#reports_to", "admin")
    page.click("button >> text=Toevoegen")
    link = page.inner_text("#enrolment-link")
    assert link.startswith(console.url + "/enrol/")
    assert "Nog niet ingesteld" in page.inner_text("#staff-sem")
    page.click("#staff-sem button >> text=Uitschakelen")
    assert "Uitgeschakeld" in page.inner_text("#staff-sem")
    assert console.application.get_staff("sem").history[-1] == {
        "change": "disabled", "by": "admin", "at": console.clock.now()}
    page.goto(link)
    assert "uitgeschakeld" in page.inner_text("#notice")


def test_the_console_pages_have_no_serious_axe_violations(
    axe_page: Page, console: LiveConsole, artifacts: Path
) -> None:
    page, clock = axe_page, console.clock
    found: dict[str, list[dict[str, Any]]] = {}
    link = console.add("axel", "administrator", "meldpunt")
    page.goto("/signin")
    found["signin"] = _axe(page)
    page.click("button[type=submit] >> text=Verder")
    found["signin with errors"] = _axe(page)
    page.goto(link)
    found["enrol"] = _axe(page)
    page.click("button[type=submit] >> text=Account instellen")
    found["enrol with errors"] = _axe(page)
    page.screenshot(path=str(artifacts / "console-enrol.png"), full_page=True)
    secret = enrol(page, link, clock)
    page.goto("/signin")
    page.fill("#login", "axel")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=Verder")
    found["code"] = _axe(page)
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit] >> text=Inloggen")
    clock.advance(timedelta(seconds=30))
    found["home"] = _axe(page)
    page.screenshot(path=str(artifacts / "console-home.png"), full_page=True)
    page.goto("/account")
    found["account"] = _axe(page)
    page.goto("/staff")
    found["staff"] = _axe(page)
    page.screenshot(path=str(artifacts / "console-staff.png"), full_page=True)
    assert {name: v for name, v in found.items() if v} == {}
