"""A reporter files a melding through the web form in Chromium: with JavaScript the
browser seals an anonymous identity itself; without, the server does. Either way the
receipt page shows the code once and the page says which sealing happened."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from nacl.exceptions import CryptoError
from nacl.public import SealedBox

from tests.browser.conftest import LiveIntake
from tests.browser.helpers import REPORTER, fill_melding, posted_fields, receipt_on


def _submit(page: Any) -> dict[str, list[str]]:
    """Press the button; the form post as it left the browser (decoded fields)."""
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("button[type=submit]")
    page.wait_for_selector("#receipt-code")
    return posted_fields(posted.value)


def _plaintext_in(fields: dict[str, list[str]]) -> list[str]:
    sent = [value for values in fields.values() for value in values]
    return [value for value in REPORTER.values() if any(value in s for s in sent)]


def test_anonymous_melding_is_sealed_in_the_browser(page: Any, intake: LiveIntake) -> None:
    page.goto("/")
    # Once libsodium is ready the page tells the reporter that the browser seals.
    page.wait_for_function(
        "document.getElementById('sealing-status').textContent.includes('browser')")
    fill_melding(page, anonymous=True, identity=REPORTER)
    fields = _submit(page)

    # The request carries the sealed box and not one plaintext detail.
    assert fields["identity_sealed"][0]
    assert fields["key_id"] == [intake.application.sealers["integrity"].current]
    assert _plaintext_in(fields) == []
    assert "name" not in fields and "email" not in fields and "phone" not in fields

    # The receipt page says the browser sealed it; intake keeps exactly that box.
    assert "in uw eigen browser versleuteld" in page.inner_text("#sealing")
    report = _report(intake, receipt_on(page))
    assert report.identity is None
    assert report.sealed_identity["sealed"] == fields["identity_sealed"][0]
    # libsodium in the browser and PyNaCl agree: the adviser opens what the browser sealed.
    box = base64.b64decode(report.sealed_identity["sealed"])
    assert json.loads(SealedBox(intake.adviser_key).decrypt(box)) == REPORTER


def test_undesirable_behaviour_is_sealed_to_the_conduct_advisers_key(
    page: Any, intake: LiveIntake
) -> None:
    page.goto("/")
    page.wait_for_function(
        "document.getElementById('sealing-status').textContent.includes('browser')")
    fill_melding(page, anonymous=True, identity=REPORTER)
    page.check("#kind-undesirable_behaviour")
    fields = _submit(page)
    assert fields["key_id"] == [intake.application.sealers["conduct"].current]
    assert _plaintext_in(fields) == []
    box = base64.b64decode(_report(intake, receipt_on(page)).sealed_identity["sealed"])
    with pytest.raises(CryptoError):  # the integrity adviser cannot open it
        SealedBox(intake.adviser_key).decrypt(box)


def test_anonymous_melding_without_javascript_is_sealed_by_the_server(
    page_without_js: Any, intake: LiveIntake
) -> None:
    page = page_without_js
    page.goto("/")
    assert "JavaScript staat uit" in page.inner_text("#sealing-status")
    fill_melding(page, anonymous=True, identity=REPORTER)
    fields = _submit(page)

    assert fields["identity_sealed"] == [""]
    assert "op de server versleuteld" in page.inner_text("#sealing")
    report = _report(intake, receipt_on(page))
    assert report.identity is None and report.anonymous
    assert REPORTER["email"] not in repr(vars(report))
    box = base64.b64decode(report.sealed_identity["sealed"])
    assert json.loads(SealedBox(intake.adviser_key).decrypt(box)) == REPORTER


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_named_melding_keeps_the_identity_readable_for_the_meldpunt(
    javascript: bool, page: Any, page_without_js: Any, intake: LiveIntake
) -> None:
    page = page if javascript else page_without_js
    page.goto("/?lang=en")
    fill_melding(page, anonymous=False, identity=REPORTER)
    fields = _submit(page)

    # Named means named: nothing to seal, the meldpunt reads who reported.
    assert fields["identity_sealed"] == [""]
    assert fields["name"] == [REPORTER["name"]]
    assert "You reported with your name" in page.inner_text("#sealing")
    report = _report(intake, receipt_on(page))
    assert report.identity == REPORTER and report.sealed_identity is None


def test_receipt_page_shows_the_code_once_and_nowhere_else(
    page: Any, intake: LiveIntake, caplog: pytest.LogCaptureFixture
) -> None:
    page.goto("/")
    fill_melding(page, anonymous=True)
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        page.click("button[type=submit]")
    response = answered.value
    code = receipt_on(page)

    # In groups of four, with the instruction to write it down and the mailbox link.
    groups = page.locator("#receipt-code .group").all_inner_texts()
    assert groups == [code[i:i + 4] for i in range(0, 16, 4)]
    assert "Schrijf deze code nu op" in page.inner_text("main")
    assert page.get_attribute("a.button", "href") == "/mailbox"
    assert "zonder contactgegevens" in page.inner_text("#sealing")

    # Not in the URL, not in a cookie, not in a header, not in a log line, not cached.
    assert code not in page.url
    assert page.context.cookies() == []
    headers = response.all_headers()
    assert "set-cookie" not in headers
    assert not any(code in value for value in headers.values())
    assert headers["cache-control"] == "no-store"
    assert code not in caplog.text


def test_form_page_sends_the_security_headers(page: Any) -> None:
    response = page.goto("/")
    headers = response.all_headers()
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in headers


def test_english_form_has_english_lang_and_text(page: Any) -> None:
    page.goto("/?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Report a concern"
    assert "Huis voor Klokkenluiders" in page.inner_text("main")
    page.click("a.language")
    assert page.get_attribute("html", "lang") == "nl"
    main = page.inner_text("main")
    for promise in ("7 dagen", "3 maanden", "vertrouwenspersoon integriteit", "LKOG"):
        assert promise in main


def _report(intake: LiveIntake, code: str) -> Any:
    melding_id = intake.application.find_by_receipt(code)
    assert melding_id is not None
    return intake.application.get_report(melding_id)
