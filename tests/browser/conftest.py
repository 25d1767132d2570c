"""A live intake (uvicorn on a free port, a real nats-server, SQLite) and a headless
Debian Chromium driven by Playwright. Without Chromium these tests skip with the reason,
except under CI=true, where they fail: CI must run them."""

from __future__ import annotations

import base64
import importlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from nacl.public import PrivateKey

from services.console.bootstrap import create_app as console_app
from services.intake.bootstrap import create_app
from shared import natsserver
from shared.clock import MovableClock
from shared.config import Settings
from tests.browser.staff import LiveConsole
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
        return self.app.state.parts.application


@contextmanager
def serving(app: Any, port: int, name: str) -> Iterator[None]:
    """`app` served by uvicorn on 127.0.0.1:`port`, in a thread of this process, as
    `meldingen serve` runs it."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"{name}-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=15)


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
    try:
        with serving(app, port, "intake"):
            yield LiveIntake(f"http://127.0.0.1:{port}", settings, app, adviser_key)
    finally:
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
def browsing(browser: Browser, base_url: str, watched: Watched,
             **options: Any) -> Iterator[BrowserContext]:
    """A browser context on `base_url` that must stay on that origin and its CSP."""
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(15_000)

    def on_request(request: Any) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
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
    with browsing(browser, intake.url, watched) as context:
        yield context.new_page()


@pytest.fixture
def page_without_js(browser: Browser, intake: LiveIntake, watched: Watched) -> Iterator[Page]:
    with browsing(browser, intake.url, watched, java_script_enabled=False) as context:
        yield context.new_page()


@pytest.fixture
def axe_page(browser: Browser, intake: LiveIntake, watched: Watched) -> Iterator[Page]:
    """A page that may run axe-core: injecting a script needs the CSP bypassed."""
    with browsing(browser, intake.url, watched, bypass_csp=True) as context:
        yield context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


CONSOLE_SERVICES = ("intake", "triage", "investigation", "reporting", "console")


@dataclass
class Live:
    urls: dict[str, str]
    settings: Settings
    console_app: Any
    clock: MovableClock


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The five services as `meldingen run` serves them (uvicorn, each on its port, a
    real nats-server, SQLite), for the console's walks (`tests/browser/walker.py`)."""
    base = tmp_path_factory.mktemp("walk")
    nats = NatsServer(store_dir=base / "nats")
    nats.start()
    ports = {service: natsserver.free_port() for service in CONSOLE_SERVICES}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    settings = make_settings(base / "var", nats.url, console_url=urls["console"],
                             console_failure_delay_seconds=0.05,
                             # the walk's organisation mandates its meldpunt to close
                             # an inadmissible melding itself
                             meldpunt_closes_inadmissible=True,
                             **{f"{service}_port": port for service, port in ports.items()})
    clock = MovableClock(datetime.now(UTC))
    apps = {service: importlib.import_module(f"services.{service}.bootstrap").create_app(
        settings, **({"clock": clock} if service == "console" else {}))
        for service in CONSOLE_SERVICES}
    try:
        with ExitStack() as stack:
            for service in CONSOLE_SERVICES:
                stack.enter_context(serving(apps[service], ports[service], service))
            yield Live(urls, settings, apps["console"], clock)
    finally:
        nats.stop()


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
    app = console_app(settings, clock=clock)
    try:
        with serving(app, port, "console"):
            yield LiveConsole(url, settings, app, clock)
    finally:
        nats.stop()


@pytest.fixture
def console_page(browser: Browser, console: LiveConsole, watched: Watched) -> Iterator[Page]:
    with browsing(browser, console.url, watched) as context:
        yield context.new_page()


@pytest.fixture
def console_axe_page(browser: Browser, console: LiveConsole,
                     watched: Watched) -> Iterator[Page]:
    with browsing(browser, console.url, watched, bypass_csp=True) as context:
        yield context.new_page()
