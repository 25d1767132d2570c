"""The reporter's side of an oral melding and of a meeting, in the browser: the record
in the mailbox, corrected and then approved; a meeting asked for on the form and in the
mailbox; a named reporter's consent to pass their identity on. The pages pass axe-core
with the record, the meeting and the consent question shown."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import httpx

from tests.browser.conftest import LiveIntake
from tests.browser.helpers import fill_melding, receipt_on, serious_axe_violations
from tests.support import MELDING, token


def registered_by_phone(intake: LiveIntake) -> tuple[str, str, dict[str, str]]:
    """An oral melding a manager registered and wrote the record of: (id, code, token)."""
    manager = token(intake.settings, "manager", "mark")
    filed = httpx.post(f"{intake.url}/api/meldingen", headers=manager, timeout=10,
                       json={**MELDING, "received_how": "oral"})
    assert filed.status_code == 201, filed.text
    melding_id = filed.json()["id"]
    written = httpx.post(f"{intake.url}/api/meldingen/{melding_id}/record", headers=manager,
                         json={"text": "Jan belde over een fiets."}, timeout=10)
    assert written.status_code == 201, written.text
    return melding_id, re.sub(r"\D", "", filed.json()["receipt"]), manager


def open_mailbox(page: Any, code: str) -> None:
    page.goto("/mailbox")
    page.fill("#receipt", code)
    page.click("button[type=submit]")
    page.wait_for_selector("#status")


def test_reporter_corrects_then_approves_the_record(axe_page: Any, intake: LiveIntake) -> None:
    page = axe_page
    melding_id, code, manager = registered_by_phone(intake)
    open_mailbox(page, code)
    assert "Jan belde over een fiets." in page.inner_text(".record")
    assert page.inner_text("#record-status") == "Wacht op uw goedkeuring of correcties."
    assert serious_axe_violations(page) == []

    # Corrections without text are refused beside the field; with text they are sent.
    page.click("button[value=correct]")
    assert page.locator("#corrections-error").is_visible()
    page.fill("#corrections", "Het was een e-bike.")
    page.click("button[value=correct]")
    assert page.inner_text(".notice.success") == "Uw antwoord op het verslag is verstuurd."
    report = intake.application.get_report(UUID(melding_id))
    assert report.record_responses[-1]["corrections"] == "Het was een e-bike."

    # Version 2 works the correction in; the reporter approves it.
    written = httpx.post(f"{intake.url}/api/meldingen/{melding_id}/record", headers=manager,
                         json={"text": "Jan belde over een e-bike."}, timeout=10)
    assert written.status_code == 201, written.text
    open_mailbox(page, code)
    assert "Jan belde over een e-bike." in page.inner_text(".record")
    page.click("button[value=approve]")
    assert page.inner_text("#record-status") == "U heeft dit verslag goedgekeurd."
    assert intake.application.get_report(UUID(melding_id)).record_status == "approved"


def test_a_meeting_is_asked_for_on_the_form_and_in_the_mailbox(
    axe_page: Any, intake: LiveIntake
) -> None:
    page = axe_page
    page.goto("/")
    fill_melding(page, anonymous=True)
    page.check("#meeting")
    page.click("button[type=submit]")
    code = receipt_on(page)
    open_mailbox(page, code)
    assert "U heeft een gesprek aangevraagd." in page.inner_text("#meeting-status")

    _, other, _ = registered_by_phone(intake)
    open_mailbox(page, other)
    page.click("text=Gesprek aanvragen")
    assert page.inner_text(".notice.success").startswith("U heeft een gesprek aangevraagd.")
    assert serious_axe_violations(page) == []
    assert len(intake.app.state.parts.meeting_requests.waiting()) >= 2



def test_a_named_reporter_answers_whether_their_identity_may_be_passed_on(
    axe_page: Any, intake: LiveIntake
) -> None:
    page = axe_page
    filed = httpx.post(f"{intake.url}/api/meldingen", json=MELDING, timeout=10)
    assert filed.status_code == 201, filed.text
    open_mailbox(page, re.sub(r"\D", "", filed.json()["receipt"]))
    assert "alleen het meldpunt ziet uw gegevens" in page.inner_text("#consent-status")
    assert serious_axe_violations(page) == []
    page.click("button[name=given][value=yes]")
    assert page.inner_text(".notice.success") == "Uw antwoord is vastgelegd."
    assert page.inner_text("#consent-status") == (
        "U heeft toestemming gegeven om uw gegevens door te geven.")
    report = intake.application.get_report(UUID(filed.json()["id"]))
    assert report.identity_consent is True
