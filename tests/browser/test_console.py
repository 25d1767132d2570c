"""The console in Chromium, as staff use it: enrol from the CLI's link (the secret read
from the page, codes computed with pyotp), sign in, each role's home page, sign out;
the lockout; a session that ends with the clock moved on; a forged form refused; an
administrator adding and disabling someone; axe finds nothing serious on any page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyotp
import pytest

from services.console.bootstrap import create_app
from shared import natsserver
from shared.clock import MovableClock
from shared.config import Settings
from shared.roles import STAFF_ROLES
from tests.browser.conftest import Watched, browsing, serving
from tests.browser.helpers import serious_axe_violations as _axe
from tests.consoleflows import PASSWORD, add
from tests.support import NatsServer, make_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@dataclass
class LiveConsole:
    url: str
    settings: Settings
    app: Any
    clock: MovableClock

    @property
    def application(self) -> Any:
        return self.app.state.parts.application

    def add(self, sub: str, *roles: str) -> str:
        return self.url + add(self.application, sub, *roles)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    base = tmp_path_factory.mktemp("console")
    nats = NatsServer(store_dir=base / "nats")
    nats.start()
    port = natsserver.free_port()
    url = f"http://127.0.0.1:{port}"
    settings = make_settings(base / "var", nats.url, console_port=port, console_url=url,
                             console_failure_delay_seconds=0.05)
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(settings, clock=clock)
    try:
        with serving(app, port, "console"):
            yield LiveConsole(url, settings, app, clock)
    finally:
        nats.stop()


@pytest.fixture
def page(browser: Browser, console: LiveConsole, watched: Watched) -> Iterator[Page]:
    with browsing(browser, console.url, watched) as context:
        yield context.new_page()


@pytest.fixture
def axe_page(browser: Browser, console: LiveConsole, watched: Watched) -> Iterator[Page]:
    with browsing(browser, console.url, watched, bypass_csp=True) as context:
        yield context.new_page()


def enrol(page: Page, link: str, clock: MovableClock) -> str:
    """Enrols through the page as the person would; returns the secret read from it."""
    page.goto(link)
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#password", PASSWORD)
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit] >> text=Account instellen")
    assert "Uw account is ingesteld" in page.inner_text("#notice")
    clock.advance(timedelta(seconds=30))  # the enrolment's code is used up
    return secret


def sign_in(page: Page, sub: str, secret: str, clock: MovableClock,
            password: str = PASSWORD) -> None:
    page.goto("/signin")
    page.fill("#login", sub)
    page.fill("#password", password)
    page.click("button[type=submit] >> text=Verder")
    page.wait_for_url("**/signin/code")
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit] >> text=Inloggen")
    clock.advance(timedelta(seconds=30))


def sign_out(page: Page) -> None:
    page.click("button >> text=Uitloggen")
    page.wait_for_url("**/signin?signed_out=1")
    assert "U bent uitgelogd" in page.inner_text("#notice")


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
