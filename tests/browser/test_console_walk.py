"""A melding walked through the whole procedure in Chromium, each role signed in to the
console as its own account in its own browser: an anonymous melding from the
reporter's form, the meldpunt assesses, the competent authority decides on an
investigation and assigns an investigator from the directory, the investigator
completes the protocol, the competent authority takes measures, the meldpunt writes
the closing feedback with the authority's text as advice, the reporter reads it in
the mailbox, and the auditor sees the melding counted and verify say
the log is intact. With JavaScript on, axe checks every console page and each page is
photographed into test-artifacts/; the same walk then completes with JavaScript off,
and again by keyboard alone, each control reached with Tab and showing its focus
(`tests/browser/keyboard.py`).
A second walks the conversation branch (a message to the reporter and the answer, a
conversation and no measure) and an inadmissible melding, each closed and then given
the meldpunt's closing feedback.

The five services run as `meldingen run` serves them (uvicorn, each on its port, a
real nats-server, SQLite); the console reaches the others over HTTP."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from shared import natsserver
from shared.clock import MovableClock
from shared.config import Settings
from tests.browser.conftest import Watched, browsing, serving
from tests.browser.helpers import fill_melding, receipt_on
from tests.browser.helpers import serious_axe_violations as _axe
from tests.browser.keyboard import KeyboardPage
from tests.browser.test_console import enrol, sign_in
from tests.consoleflows import add
from tests.support import NatsServer, make_settings, token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SERVICES = ("intake", "triage", "investigation", "reporting", "console")
FEEDBACK = "Het onderzoek is afgerond; er is een maatregel genomen."


@dataclass
class Live:
    urls: dict[str, str]
    settings: Settings
    console_app: Any
    clock: MovableClock


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    base = tmp_path_factory.mktemp("walk")
    nats = NatsServer(store_dir=base / "nats")
    nats.start()
    ports = {service: natsserver.free_port() for service in SERVICES}
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
        for service in SERVICES}
    try:
        with ExitStack() as stack:
            for service in SERVICES:
                stack.enter_context(serving(apps[service], ports[service], service))
            yield Live(urls, settings, apps["console"], clock)
    finally:
        nats.stop()


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


def walk(w: Walker, tag: str) -> None:
    # The reporter files an anonymous melding and writes down the receipt code.
    reporter = w.open("intake")
    reporter.goto("/")
    fill_melding(reporter, anonymous=True)
    reporter.click("button[type=submit]")
    receipt = receipt_on(reporter)

    # The meldpunt finds it in the queue and assesses it.
    meldpunt = w.staff(f"mia-{tag}", "meldpunt")
    meldpunt.click("nav >> text=Meldingen")
    until(meldpunt, "/queue", lambda p: p.locator("#queue tbody tr").count() > 0)
    w.check(meldpunt, "queue")
    meldpunt.fill("#text", "fiets")  # the search is posted: its words are in no address
    submit(meldpunt, "search")
    assert "fiets" not in meldpunt.url and meldpunt.locator("#queue tbody tr").count() > 0
    w.check(meldpunt, "queue-search")
    meldpunt.locator("#queue tbody tr a").last.click()
    melding_url = meldpunt.url
    melding_id = melding_url.rsplit("/", 1)[1]
    assert "alleen voor de vertrouwenspersoon" in meldpunt.inner_text("#reporter")
    w.check(meldpunt, "melding")
    submit(meldpunt, "assessment-form")  # nothing chosen: each field is named
    assert meldpunt.is_visible("#admissible-error") and meldpunt.is_visible("#advice-error")
    w.check(meldpunt, "melding-errors")
    for choice in ("admissible-true", "reasonable_grounds-true", "code_violation-true",
                   "severity-medium", "advice-investigation"):
        meldpunt.check(f"#{choice}")
    meldpunt.fill("#motivation", "Voldoende aanwijzingen voor een onderzoek.")
    submit(meldpunt, "assessment-form")
    assert "De beoordeling is vastgelegd." in meldpunt.inner_text("#notice")

    # The competent authority decides on an investigation and assigns an investigator.
    authority = w.staff(f"bert-{tag}", "competent_authority")
    hand_to(w.live, melding_url, f"bert-{tag}")
    authority.goto(melding_url)
    w.check(authority, "decision")
    authority.check("#outcome-investigation")
    authority.fill("#motivation", "Een onderzoek is nodig.")
    submit(authority, "decision-form")
    assert "Het besluit is vastgelegd." in authority.inner_text("#notice")
    investigator_sub = f"ivo-{tag}"
    investigator = w.staff(investigator_sub, "investigator")
    case_url = f"/cases/{melding_id}"
    until(authority, case_url, lambda p: p.is_visible("#assign_investigators-form"))
    w.check(authority, "case-assign")
    authority.check(f"#investigators-{investigator_sub}")
    submit(authority, "assign_investigators-form")
    assert investigator_sub in authority.inner_text("#investigators")

    # The investigator completes the protocol, one step at a time.
    investigator.click("nav >> text=Zaken")
    w.check(investigator, "cases")
    investigator.click(f"#case-{melding_id} a")
    assert not investigator.is_visible("#issue_final_report-form")  # not in this order
    w.check(investigator, "case-plan")
    steps: list[tuple[str, dict[str, str]]] = [
        ("record_plan", {"#plan_text": "Twee interviews en de facturen."}),
        ("record_interview", {"#interviewee": "Afdelingshoofd",
                              "#interview_minutes": "Hij ontkent de fiets."}),
        ("comment_on_interview", {"#comment_text": "Ik ontkende niet alles."}),
        ("add_evidence", {"#evidence_description": "Factuur van de fiets",
                          "#sha256": "ab" * 32}),
        ("issue_draft_report", {"#draft_text": "Concept: de fiets is aangenomen."}),
        ("record_response", {"#response_text": "Ik betreur het."}),
        ("issue_final_report", {"#final_text": "De fiets is aangenomen."}),
    ]
    for command, fields in steps:
        for selector, value in fields.items():
            investigator.fill(selector, value)
        if command == "issue_final_report":
            investigator.check("#conclusion-founded")
        submit(investigator, f"{command}-form")
        assert "Vastgelegd." in investigator.inner_text("#notice"), command
    w.check(investigator, "case-final")

    # The competent authority takes a measure; that closes the case.
    authority.goto(case_url)
    authority.select_option("#kind", "written_reprimand")
    authority.fill("#measure_description", "Schriftelijke berisping.")
    authority.fill("#feedback", FEEDBACK)
    w.check(authority, "case-measures")
    submit(authority, "take_measures-form")
    assert authority.inner_text("#status") == "Gesloten"
    authority.goto(melding_url)
    assert "final report issued (founded)" in authority.inner_text("#history")

    # The meldpunt writes the closing feedback, the authority's text as its advice; the
    # reporter reads the meldpunt's words in the mailbox.
    closing_feedback(w, meldpunt, melding_url, FEEDBACK, FEEDBACK + " Dank voor uw melding.",
                     "closing-feedback")
    mailbox(reporter, receipt, "Dank voor uw melding.")

    # The auditor sees it counted and the log intact.
    auditor = w.staff(f"otto-{tag}", "auditor")
    auditor.click("nav >> text=Jaarverslag")
    until(auditor, "/report", lambda p: p.is_visible("#meldingen-total")
          and p.inner_text("#meldingen-total").split()[-1] != "0")
    w.check(auditor, "report")
    submit(auditor, "verify-form")
    assert "Het logboek klopt" in auditor.inner_text("#verify-result")
    w.check(auditor, "report-verified")


def test_a_melding_through_the_whole_procedure_with_axe_on_each_page(
    browser: Browser, live: Live, watched: Watched, artifacts: Path
) -> None:
    with ExitStack() as stack:
        walker = Walker(browser, live, watched, artifacts, stack, javascript=True)
        walk(walker, "js")
    assert {name: found for name, found in walker.violations.items() if found} == {}


def test_the_same_walk_with_javascript_off(
    browser: Browser, live: Live, watched: Watched, artifacts: Path
) -> None:
    with ExitStack() as stack:
        walk(Walker(browser, live, watched, artifacts, stack, javascript=False), "nojs")


def test_the_same_walk_by_keyboard_alone(
    browser: Browser, live: Live, watched: Watched, artifacts: Path
) -> None:
    """Every staff step reached with Tab and done with Enter, Space, arrows and typing."""
    with ExitStack() as stack:
        walk(Walker(browser, live, watched, artifacts, stack, javascript=False,
                    keyboard=True), "keys")


def test_the_conversation_branch_and_an_inadmissible_melding(
    browser: Browser, live: Live, watched: Watched, artifacts: Path
) -> None:
    with ExitStack() as stack:
        w = Walker(browser, live, watched, artifacts, stack, javascript=True)
        receipts = []
        reporter = w.open("intake")
        for _ in range(2):
            reporter.goto("/")
            fill_melding(reporter, anonymous=True)
            reporter.click("button[type=submit]")
            receipts.append(receipt_on(reporter))
        talked_about, inadmissible = receipts

        # The meldpunt asks the first reporter something; the answer comes back.
        meldpunt = w.staff("mia-talk", "meldpunt")
        until(meldpunt, "/queue", lambda p: p.locator("#queue tbody tr").count() >= 2)
        rows = meldpunt.locator("#queue tbody tr a")
        first_url, second_url = (rows.nth(rows.count() - n).get_attribute("href")
                                 for n in (2, 1))
        assert first_url and second_url
        meldpunt.goto(first_url)
        meldpunt.fill("#body", "Wanneer kreeg het afdelingshoofd de fiets?")
        submit(meldpunt, "reply-form")
        assert "berichtenbox van de melder" in meldpunt.inner_text("#notice")
        mailbox(reporter, talked_about, "Wanneer kreeg het afdelingshoofd de fiets?")
        reporter.fill("#body", "In maart, na de aanbesteding.")
        with reporter.expect_navigation():
            reporter.click("button[type=submit]")
        until(meldpunt, first_url, lambda p: "In maart, na de aanbesteding."
              in p.inner_text("#messages"))
        w.check(meldpunt, "conversation")
        # On a phone (or at 200 % zoom) nothing but the queue's table scrolls sideways.
        meldpunt.set_viewport_size({"width": 360, "height": 740})
        for url in ("/queue", first_url):
            meldpunt.goto(url)
            assert meldpunt.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"), url
        meldpunt.screenshot(path=str(artifacts / "walk-melding-phone.png"), full_page=True)
        meldpunt.set_viewport_size({"width": 1280, "height": 720})
        for choice in ("admissible-true", "reasonable_grounds-true", "code_violation-false",
                       "severity-low", "advice-conversation"):
            meldpunt.check(f"#{choice}")
        meldpunt.fill("#motivation", "Een gesprek volstaat.")
        submit(meldpunt, "assessment-form")

        # The second is inadmissible: the mandated meldpunt closes it, then tells the
        # reporter, its assessment's text as the start.
        meldpunt.goto(second_url)
        for choice in ("admissible-false", "reasonable_grounds-false",
                       "code_violation-false", "severity-low", "advice-no_action"):
            meldpunt.check(f"#{choice}")
        meldpunt.fill("#motivation", "Buiten de reikwijdte van de regeling.")
        meldpunt.fill("#feedback", "Uw melding valt buiten de regeling; u kunt naar het Huis "
                                   "voor Klokkenluiders.")
        submit(meldpunt, "assessment-form")
        assert meldpunt.inner_text("#status") == "Gesloten"
        assert not meldpunt.is_visible("#reply-form")  # a closed melding takes no message
        assert "Huis voor Klokkenluiders" in meldpunt.input_value("#closing_feedback")
        submit(meldpunt, "closing-feedback-form")
        mailbox(reporter, inadmissible, "Huis voor Klokkenluiders")

        # The competent authority decides on a conversation, records it, and closes it
        # without a measure.
        authority = w.staff("bert-talk", "competent_authority")
        hand_to(w.live, first_url, "bert-talk")
        authority.goto(first_url)
        authority.check("#outcome-conversation")
        authority.fill("#motivation", "Een gesprek met het afdelingshoofd.")
        submit(authority, "decision-form")
        case_url = "/cases/" + first_url.rsplit("/", 1)[1]
        until(authority, case_url, lambda p: p.is_visible("#record_conversation-form"))
        w.check(authority, "case-conversation")
        authority.fill("#minutes", "Het afdelingshoofd geeft de fiets terug.")
        submit(authority, "record_conversation-form")
        authority.select_option("#kind", "none")
        authority.fill("#measure_description", "Het gesprek volstond.")
        authority.fill("#feedback", "Er is een gesprek gevoerd; de zaak is afgerond.")
        submit(authority, "take_measures-form")
        assert authority.inner_text("#status") == "Gesloten"
        closing_feedback(w, meldpunt, first_url,
                         "Er is een gesprek gevoerd; de zaak is afgerond.",
                         "Er is een gesprek gevoerd; uw melding is afgehandeld.")
        mailbox(reporter, talked_about, "uw melding is afgehandeld.")
    assert {name: found for name, found in w.violations.items() if found} == {}
