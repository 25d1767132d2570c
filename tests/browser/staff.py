"""Staff in the console's pages: a live console (`LiveConsole`, served by the
`console` fixture in conftest), enrolment from the CLI's link, sign-in and sign-out
as a person does them, the codes computed with pyotp on the console's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pyotp

from shared.clock import MovableClock
from shared.config import Settings
from tests.consoleflows import PASSWORD, add

if TYPE_CHECKING:
    from playwright.sync_api import Page


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
