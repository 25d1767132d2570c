"""The console's walks in Chromium: a browser per staff member, signed in as its own
account (`Walker.staff`), each page checked with axe and photographed with JavaScript
on, and the few steps every walk takes (reload until the services carried a change
there, submit a form, hand a melding to a competent authority, the closing feedback)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tests.browser.conftest import Live, Watched, browsing
from tests.browser.helpers import serious_axe_violations as _axe
from tests.browser.keyboard import KeyboardPage
from tests.browser.staff import enrol, sign_in
from tests.consoleflows import add
from tests.support import token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


class Walker:
    """Opens a browser of its own per person; checks and photographs each page."""

    def __init__(self, browser: Browser, live: Live, watched: Watched, artifacts: Path,
                 stack: ExitStack, *, javascript: bool, keyboard: bool = False) -> None:
        self.browser, self.live, self.watched = browser, live, watched
        self.artifacts, self.stack, self.javascript = artifacts, stack, javascript
        self.keyboard = keyboard
        self.violations: dict[str, list[dict[str, Any]]] = {}

    def open(self, service: str) -> Page:
        options = {"bypass_csp": True} if self.javascript else {"java_script_enabled": False}
        context = self.stack.enter_context(
            browsing(self.browser, self.live.urls[service], self.watched, **options))
        return context.new_page()

    def staff(self, sub: str, *roles: str) -> Page:
        """A browser signed in as a new staff member. The console's clock (for the
        codes) is set just behind the wall clock, which the services check its tokens
        by; each sign-in moves it on past the codes it used."""
        page = self.open("console")
        clock = self.live.clock
        clock.set(datetime.now(UTC) - timedelta(seconds=60))
        application = self.live.console_app.state.parts.application
        secret = enrol(page, self.live.urls["console"] + add(application, sub, *roles), clock)
        sign_in(page, sub, secret, clock)
        page.wait_for_url(self.live.urls["console"] + "/")
        return KeyboardPage(page) if self.keyboard else page  # type: ignore[return-value]

    def check(self, page: Page, name: str) -> None:
        if not self.javascript:
            return
        self.violations[name] = _axe(page)
        page.screenshot(path=str(self.artifacts / f"walk-{name}.png"), full_page=True)


def until(page: Page, url: str, ready: Callable[[Page], bool], timeout: float = 20) -> None:
    """Reload `url` until the page shows what the services have yet to carry there."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if ready(page):
            return
        assert time.monotonic() < deadline, f"{url} did not get there: {page.content()[:2000]}"
        time.sleep(0.2)


def mailbox(page: Page, receipt: str, expected: str, timeout: float = 20) -> None:
    """The reporter opens the mailbox (again, until `expected` is there)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/mailbox")
        page.fill("#receipt", receipt)
        # With JavaScript the page first solves the login's challenge, then posts.
        with page.expect_navigation():
            page.click("button[type=submit]")
        if expected in page.inner_text("main"):
            return
        assert time.monotonic() < deadline, page.content()[:3000]
        time.sleep(0.3)


def submit(page: Page, form: str) -> None:
    page.click(f"#{form} button[type=submit]")


def closing_feedback(w: Walker, meldpunt: Page, melding_url: str, advice: str, body: str,
                     name: str | None = None) -> None:
    """The closing makes the closing feedback due: the meldpunt finds the form on the
    melding's page, prefilled with the template's start and the advice beside it,
    writes its own words and sends them."""
    until(meldpunt, melding_url, lambda p: p.is_visible("#closing-feedback-form"))
    assert advice in meldpunt.inner_text("#closing-feedback-form")
    assert meldpunt.input_value("#closing_feedback")  # the template's start
    if name:
        w.check(meldpunt, name)
    meldpunt.fill("#closing_feedback", body)
    submit(meldpunt, "closing-feedback-form")
    assert meldpunt.is_visible("#closing-notice")


def hand_to(live: Live, melding_url: str, sub: str) -> None:
    """The meldpunt hands the melding (routed to the default competent authority) to
    `sub`, over triage's API, once triage's view of the directory lists them."""
    melding_id = melding_url.rstrip("/").rsplit("/", 1)[1]
    headers = token(live.settings, "meldpunt", "mia-hands")
    deadline = time.monotonic() + 15
    while True:
        answer = httpx.post(
            f"{live.urls['triage']}/api/meldingen/{melding_id}/competent-authority",
            headers=headers, json={"competent_authority": sub, "motivation": "De walk."})
        if answer.status_code == 200:
            return
        assert answer.status_code == 422 and time.monotonic() < deadline, answer.text
        time.sleep(0.1)
