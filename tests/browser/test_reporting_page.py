"""The annual report page in headless Chromium: a scripted year published to a real
nats-server, reporting served by uvicorn, the page rendered without JavaScript, from
its own origin only; a screenshot and a print-to-PDF saved to test-artifacts/."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn

from services.reporting.bootstrap import create_app
from shared import natsserver
from shared.auth import issue_token
from tests.browser.conftest import AXE
from tests.integration.test_reporting_year import jetstream, publish
from tests.support import NatsServer, make_settings
from tests.unit.test_annual_report import scripted_year

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: The meldpunt's account of 2025, as written through the API.
ACCOUNT = {
    "activities": "Twee trainingen over geschenken gegeven.\n\nHet inkoopproces is "
                  "aangescherpt: vier ogen bij elke opdracht boven 10.000 euro.",
    "analysis": "Meer meldingen over geschenken dan vorig jaar, vooral rond de feestdagen.",
    "intended_actions": "Een e-learning over belangenverstrengeling voor alle leidinggevenden.",
}
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def in_thread(work: Any) -> Any:
    """Run a coroutine function to completion outside Playwright's own loop."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(work())))
    thread.start()
    thread.join(timeout=60)
    return result[0]


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(url, auditor token) of a live reporting service with a scripted year counted."""
    base = tmp_path_factory.mktemp("reporting")
    nats = NatsServer(store_dir=base / "nats")
    nats.start()
    port = natsserver.free_port()
    settings = make_settings(base / "var", nats.url, reporting_port=port)

    async def fill() -> int:
        async with jetstream(settings) as js:
            return await publish(js, settings, scripted_year())

    last = in_thread(fill)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name="reporting-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while app.state.parts.application.live.position < last:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            nats.stop()
            raise RuntimeError("reporting did not count the scripted year")
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    meldpunt = {"Authorization": f"Bearer {issue_token(settings, sub='mp', role='meldpunt')}"}
    try:
        for part, text in ACCOUNT.items():
            httpx.put(f"{base_url}/api/reports/annual/account/{part}", params={"year": 2025},
                      json={"text": text}, headers=meldpunt).raise_for_status()
        yield base_url, issue_token(settings, sub="board", role="auditor")
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        nats.stop()


def test_the_annual_report_page_renders_in_chromium(
    browser: Browser, reporting: tuple[str, str], artifacts: Path,
) -> None:
    url, token = reporting
    context = browser.new_context(base_url=url, java_script_enabled=False,
                                  extra_http_headers={"Authorization": f"Bearer {token}"},
                                  viewport={"width": 1100, "height": 900})
    foreign: list[str] = []
    context.on("request", lambda request: None if request.url.startswith(url)
               else foreign.append(request.url))
    page = context.new_page()
    try:
        response = page.goto("/reports/annual?year=2025")
        assert response is not None and response.status == 200
        assert "script-src" not in response.headers["content-security-policy"]
        assert page.title() == "Rapportage integriteitbeleid 2025"
        assert page.locator("section svg").count() >= 10
        assert page.locator("script").count() == 0
        themes = page.locator("section", has_text="Meldingen per thema")
        assert "(totaal 13; 2024: 0)" in themes.locator("h2").inner_text()
        assert themes.locator("tr", has_text="Uitnodigingen en geschenken").locator(
            "td.n").all_inner_texts() == ["5", "0"]
        assert themes.locator("tr", has_text="Omgang met belangen").locator(
            "td.n").all_inner_texts() == ["<3", "0"]
        terms = page.locator("section", has_text="Wettelijke termijnen")
        assert "77 %" in terms.inner_text() and "75 %" not in terms.inner_text()
        # Every chart label whole, and clear of the bars that start at x=230.
        labels = page.locator("svg text.label")
        assert labels.count() >= 40
        for index in range(labels.count()):
            label = labels.nth(index)
            box = label.bounding_box()
            chart = label.locator("xpath=..").bounding_box()
            assert box is not None and chart is not None
            assert box["x"] + box["width"] <= chart["x"] + 228, label.text_content()
            assert box["y"] + box["height"] <= chart["y"] + chart["height"] + 1
        channels = page.locator("section", has_text="Meldingen per kanaal")
        assert "Via vertrouwenspersoon ongewenste omgangsvormen" in " ".join(
            channels.locator("svg tspan").all_text_contents())
        # The meldpunt's account, paragraph by paragraph; a part not written says so.
        activities = page.locator("section.written", has_text="Activiteiten")
        assert activities.locator("p").all_inner_texts() == ACCOUNT["activities"].split("\n\n")
        assert "nog niet geschreven" in page.locator(
            "section.written", has_text="Samenvatting van de conclusies").inner_text()
        # Each figure beside the year before's, in every table.
        tables = page.locator("section table")
        assert tables.count() >= 13
        for index in range(tables.count()):
            assert "2024" in tables.nth(index).locator("thead").inner_text()
        # The meldingen open at the year's end, by age (all of 2025's were closed).
        still_open = page.locator("section", has_text="open aan het eind van het jaar")
        assert "(totaal 0; 2024: 0)" in still_open.locator("h2").inner_text()
        assert still_open.locator("tr", has_text="12 maanden of langer").locator(
            "td.n").all_inner_texts() == ["0", "0"]
        # Nothing but counts: no melding's words reach the page.
        assert "Beschrijving" not in page.content()
        page.screenshot(path=str(artifacts / "reporting-annual-2025.png"), full_page=True)
        page.emulate_media(media="print")
        page.pdf(path=str(artifacts / "reporting-annual-2025.pdf"), format="A4")
        assert foreign == []
    finally:
        context.close()
    assert (artifacts / "reporting-annual-2025.png").stat().st_size > 10_000


def test_the_annual_report_page_has_no_serious_axe_violations(
    browser: Browser, reporting: tuple[str, str], artifacts: Path,
) -> None:
    url, token = reporting
    # axe is a script: only this context runs scripts, and bypasses the page's CSP for it.
    context = browser.new_context(base_url=url, bypass_csp=True,
                                  extra_http_headers={"Authorization": f"Bearer {token}"})
    try:
        page = context.new_page()
        page.goto("/reports/annual?year=2025")
        assert page.locator("section.written").count() == 4
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(AXE_RUN) == []
    finally:
        context.close()
