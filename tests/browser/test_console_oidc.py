"""Signing in to the console through the organisation's identity provider, a real
one (oidc-provider on Node.js): the provider says who, the directory what; a person
the directory does not know is refused, and gets no account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from services.console.bootstrap import create_app
from shared import natsserver
from shared.clock import MovableClock
from tests.browser.conftest import serving
from tests.browser.staff import LiveConsole
from tests.oidc import provider as oidc
from tests.support import NatsServer, make_settings, unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    missing = oidc.installed()
    if missing:
        unavailable(missing)
    base = tmp_path_factory.mktemp("console-oidc")
    port = natsserver.free_port()
    url = f"http://127.0.0.1:{port}"
    nats = NatsServer(store_dir=base / "nats")
    nats.start()
    try:
        with oidc.running(f"{url}/signin/oidc/callback", base / "provider.log") as provider:
            settings = make_settings(
                base / "var", nats.url, console_port=port, console_url=url,
                console_oidc_issuer=provider.issuer,
                console_oidc_client_id=provider.client_id,
                console_oidc_client_secret=provider.client_secret)
            clock = MovableClock(datetime.now(UTC))
            app = create_app(settings, clock=clock)
            with serving(app, port, "console"):
                yield LiveConsole(url, settings, app, clock)
    finally:
        nats.stop()


@pytest.fixture
def page(browser: Browser, console: LiveConsole) -> Iterator[Page]:
    context = browser.new_context(base_url=console.url)
    context.set_default_timeout(15_000)
    # The provider's own development pages link a web font; nothing leaves the machine.
    context.route("http*://**", lambda route: route.abort()
                  if "127.0.0.1" not in route.request.url else route.continue_())
    yield context.new_page()
    context.close()


def through_the_provider(page: Page, login: str) -> None:
    page.goto("/signin")
    page.click("#oidc")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything: the provider's test pages take any")
    page.click("button[type=submit]")
    page.click("button >> text=Continue")  # consent to share the e-mail and profile


def test_a_person_in_the_directory_signs_in_through_the_provider(
    page: Page, console: LiveConsole
) -> None:
    console.add("oscar", "competent_authority")
    through_the_provider(page, "oscar")
    page.wait_for_url(console.url + "/")
    assert page.inner_text("h1") == "Welkom, Oscar"
    assert page.is_visible("#role-competent_authority")
    # The directory decided the role; the provider's word is on record as the way in.
    stored = console.application.repository.event_store.get(
        console.application.get_staff("oscar").id)
    assert [e.method for e in stored if type(e).__name__ == "SignedIn"] == ["oidc"]


def test_a_person_the_directory_does_not_know_is_refused(
    page: Page, console: LiveConsole
) -> None:
    through_the_provider(page, "onbekend")
    assert "niet in het personeelsoverzicht" in page.inner_text("[role=alert]")
    page.goto("/")
    page.wait_for_url("**/signin*")
