"""A live intake (uvicorn on a free port, a real nats-server, SQLite) and a headless
Debian Chromium driven by Playwright. Without Chromium these tests skip with the reason,
except under CI=true, where they fail: CI must run them."""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from nacl.public import PrivateKey

from services.intake.bootstrap import create_app
from shared import natsserver
from shared.config import Settings
from tests.support import NatsServer, make_settings, unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = Path(os.environ.get("MELDINGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@dataclass
class LiveIntake:
    url: str
    settings: Settings
    app: Any
    adviser_key: PrivateKey  # the confidential adviser's, to open what the browser sealed

    @property
    def application(self) -> Any:
        return self.app.state.application


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveIntake]:
    """intake as `meldingen serve intake` runs it, in a thread of this process."""
    base = tmp_path_factory.mktemp("intake")
    nats = NatsServer(store_dir=base / "nats")
    nats.start()
    port = natsserver.free_port()
    adviser_key = PrivateKey.generate()
    settings = make_settings(base / "var", nats.url, intake_port=port,
                             adviser_public_key=base64.b64encode(bytes(adviser_key.public_key)).decode())
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name="intake-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            nats.stop()
            raise RuntimeError("intake did not start")
        time.sleep(0.05)
    try:
        yield LiveIntake(f"http://127.0.0.1:{port}", settings, app, adviser_key)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        nats.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -c constraints.txt -e '.[dev]'")
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}: `make browser` installs it")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                         timeout=30_000)
    yield browser
    browser.close()


@dataclass
class Watched:
    """What the page did that it must not: requests to another origin, CSP violations."""

    foreign_requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)


@pytest.fixture
def watched() -> Watched:
    return Watched()


@contextmanager
def _context(browser: Browser, intake: LiveIntake, watched: Watched,
             **options: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=intake.url, **options)
    context.set_default_timeout(15_000)

    def on_request(request: Any) -> None:
        if not request.url.startswith((intake.url, "data:", "blob:")):
            watched.foreign_requests.append(request.url)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            watched.csp_violations.append(message.text)

    context.on("request", on_request)
    context.on("console", on_console)
    yield context
    context.close()
    assert watched.foreign_requests == [], "the page contacted another origin"
    assert watched.csp_violations == [], "the page broke its own Content-Security-Policy"


@pytest.fixture
def page(browser: Browser, intake: LiveIntake, watched: Watched) -> Iterator[Page]:
    """A page with JavaScript on."""
    with _context(browser, intake, watched) as context:
        yield context.new_page()


@pytest.fixture
def page_without_js(browser: Browser, intake: LiveIntake, watched: Watched) -> Iterator[Page]:
    with _context(browser, intake, watched, java_script_enabled=False) as context:
        yield context.new_page()


@pytest.fixture
def axe_page(browser: Browser, intake: LiveIntake, watched: Watched) -> Iterator[Page]:
    """A page that may run axe-core: injecting a script needs the CSP bypassed."""
    with _context(browser, intake, watched, bypass_csp=True) as context:
        yield context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
