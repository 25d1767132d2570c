"""Steps the browser tests share: fill in the form as a reporter would, read the code."""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import default
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.browser.conftest import AXE
from tests.support import MELDING

AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' '))}));
}"""

def serious_axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


REPORTER = {"name": "Anna de Vries", "email": "anna.devries@example.org", "phone": "06 1234 5678"}


def fill_melding(page: Any, *, anonymous: bool, identity: dict[str, str] | None = None) -> None:
    """The form at / filled in with a melding about a gift (labels as the reporter sees them)."""
    page.check("#kind-integrity_violation")
    page.check("#theme-gifts")
    page.fill("#description", "Een leverancier gaf het afdelingshoofd een dure fiets.")
    page.fill("#occurred", "2024-03-01")
    page.fill("#involved", "afdelingshoofd inkoop\nteam aanbestedingen")
    page.check("#anonymous-true" if anonymous else "#anonymous-false")
    for name, value in (identity or {}).items():
        page.fill(f"#{name}", value)


def receipt_on(page: Any) -> str:
    """The 16 digits shown on the receipt page."""
    code = page.inner_text("#receipt-code")
    digits = re.sub(r"\D", "", code)
    assert len(digits) == 16, code
    return digits


def file_by_api(base_url: str) -> str:
    """A melding filed through the JSON API; its receipt code (digits only)."""
    response = httpx.post(f"{base_url}/api/meldingen", json=MELDING, timeout=10)
    assert response.status_code == 201, response.text
    return re.sub(r"\D", "", response.json()["receipt"])


def posted_fields(request: Any) -> dict[str, list[str]]:
    """A form post's text fields as they left the browser (the form is multipart, for
    its file input; files are left out)."""
    content_type = request.headers.get("content-type", "")
    body = request.post_data_buffer or b""
    if not content_type.startswith("multipart/"):
        return parse_qs(body.decode(), keep_blank_values=True)
    message = BytesParser(policy=default).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, list[str]] = {}
    for part in message.iter_parts():
        if part.get_filename() is None:
            name = str(part.get_param("name", header="content-disposition"))
            fields.setdefault(name, []).append(str(part.get_content()))
    return fields
