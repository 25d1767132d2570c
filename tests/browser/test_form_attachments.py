"""A reporter sends a photo with its position and a document with its author through
the web form in Chromium, with JavaScript and without: the receipt page names both as
cleaned, and what is stored (downloaded again through the mailbox) has neither."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import LiveIntake
from tests.browser.helpers import fill_melding, receipt_on
from tests.files import docx_with_author, gps_of, jpeg_with_gps, no_author_left

JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _stored(intake: LiveIntake, receipt: str) -> dict[str, bytes]:
    """The melding's files as the mailbox serves them back, by type."""
    with httpx.Client(base_url=intake.url, timeout=10) as client:
        logged_in = client.post("/api/mailbox/login", json={"receipt": receipt})
        assert logged_in.status_code == 200, logged_in.text
        mailbox = {"Authorization": f"Bearer {logged_in.json()['token']}"}
        files = client.get("/api/mailbox", headers=mailbox).json()["attachments"]
        return {f["content_type"]: client.get(f"/api/mailbox/attachments/{f['id']}",
                                              headers=mailbox).content for f in files}


@pytest.mark.parametrize("javascript", [True, False])
def test_files_on_the_form_lose_position_and_author(
        javascript: bool, page: Any, page_without_js: Any, intake: LiveIntake) -> None:
    browser_page = page if javascript else page_without_js
    browser_page.goto("/")
    fill_melding(browser_page, anonymous=True)
    browser_page.set_input_files("#attachments", [
        {"name": "tuin.jpg", "mimeType": JPEG, "buffer": jpeg_with_gps()},
        {"name": "notulen.docx", "mimeType": DOCX, "buffer": docx_with_author()}])
    browser_page.click("button[type=submit]")
    browser_page.wait_for_selector("#receipt-code")
    assert browser_page.inner_text("#attachments-cleaned").split("\n") == [
        "tuin.jpg", "notulen.docx"]

    code = receipt_on(browser_page)
    stored = _stored(intake, code)
    assert gps_of(stored[JPEG]) == {}
    assert no_author_left(stored[DOCX])
    with zipfile.ZipFile(io.BytesIO(stored[DOCX])) as docx:
        assert b"De kas klopt niet." in docx.read("word/document.xml")

    # The mailbox page lists both and hands out the cleaned photo (a plain form post).
    browser_page.goto("/mailbox")
    browser_page.fill("#receipt", code)
    browser_page.click("button[type=submit]")
    browser_page.wait_for_selector("#files")
    with browser_page.expect_download() as downloading:
        browser_page.click("#files button:has-text('tuin.jpg')")
    saved = downloading.value
    assert saved.suggested_filename == "tuin.jpg"
    assert Path(saved.path()).read_bytes() == stored[JPEG]


def test_a_refused_file_keeps_what_the_reporter_typed(page_without_js: Any,
                                                      intake: LiveIntake) -> None:
    page_without_js.goto("/")
    fill_melding(page_without_js, anonymous=True)
    page_without_js.set_input_files("#attachments", [
        {"name": "programma.jpg", "mimeType": JPEG,
         "buffer": b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" * 40}])
    page_without_js.click("button[type=submit]")
    page_without_js.wait_for_selector("#attachments-error")
    assert "soort" in page_without_js.inner_text("#attachments-error")
    assert page_without_js.input_value("#description").startswith("Een leverancier")
