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

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.conftest import Live, Watched
from tests.browser.helpers import fill_melding, receipt_on
from tests.browser.walker import Walker, closing_feedback, hand_to, mailbox, submit, until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FEEDBACK = "Het onderzoek is afgerond; er is een maatregel genomen."


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
        if command == "add_evidence":
            evidence_refused(w, investigator)
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


def evidence_refused(w: Walker, investigator: Page) -> None:
    """An empty file on the evidence form: named on the file input, the description
    kept, the page still accessible; the file is then taken off again."""
    investigator.fill("#evidence_description", "Een leeg bestand")
    investigator.set_input_files("#file", {"name": "leeg.pdf", "mimeType": "application/pdf",
                                           "buffer": b""})
    submit(investigator, "add_evidence-form")
    assert investigator.inner_text("#file-error").endswith(
        "Het bestand is leeg; kies het bestand opnieuw")
    assert investigator.get_attribute("#file", "aria-invalid") == "true"
    assert investigator.input_value("#evidence_description") == "Een leeg bestand"
    w.check(investigator, "case-evidence-refused")
    investigator.set_input_files("#file", [])


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
