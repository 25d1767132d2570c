"""Steps the browser tests share: fill in the form as a reporter would, read the code."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support import MELDING

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
