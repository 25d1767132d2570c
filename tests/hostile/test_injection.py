"""Injection attempts in every free-text field (description, persons concerned, the
reporter's name, the mailbox both ways): SQL, HTML/script, spreadsheet formulas and
CR/LF for headers. They are stored inert (returned byte for byte, the store works on),
rendered escaped in the mailbox page, never in the CSV export as a formula, and never
in a response header."""

from __future__ import annotations

import csv
import io
import re

import httpx

from services.reporting.domain.publication import FORMULA_START, cell
from shared.config import Settings
from tests.support import eventually, running, token

SQL = "x'); DROP TABLE triage_events; --\" OR 1=1; SELECT pg_sleep(5); --"
SCRIPT = "<script>alert('melding')</script><img src=x onerror=alert(1)>"
FORMULAS = ("=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")
CRLF = "ok\r\nSet-Cookie: stolen=1\r\nX-Injected: 1"
HOSTILE = "\n".join([SQL, SCRIPT, *FORMULAS, CRLF])
SHORT = "Robert'); DROP TABLE intake_events;--<b onmouseover=alert(1)>=1+1"


def _hostile_melding() -> dict[str, object]:
    return {"kind": "wrongdoing", "theme": "information", "description": HOSTILE,
            "anonymous": False, "involved": [SHORT, "=HYPERLINK(\"http://x\")"],
            "identity": {"name": SHORT, "email": "jan@example.org"}}


def _no_injected_header(response: httpx.Response) -> None:
    assert "set-cookie" not in response.headers and "x-injected" not in response.headers


async def test_hostile_text_is_stored_inert_and_rendered_escaped(settings: Settings) -> None:
    meldpunt = token(settings, "meldpunt")
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        filed = (await intake.client.post("/api/meldingen", json=_hostile_melding())).json()
        melding_id = filed["id"]

        # Triage received every field byte for byte: nothing was executed or mangled.
        async def arrived() -> bool:
            response = await triage.client.get(f"/api/meldingen/{melding_id}", headers=meldpunt)
            return response.status_code == 200
        await eventually(arrived)
        melding = (await triage.client.get(f"/api/meldingen/{melding_id}",
                                           headers=meldpunt)).json()
        assert melding["description"] == HOSTILE.strip()
        assert melding["involved"][0] == SHORT
        assert melding["identity"]["name"] == SHORT

        # The mailbox, both ways: the reporter's reply and the meldpunt's message.
        login = await intake.client.post("/api/mailbox/login", json={"receipt": filed["receipt"]})
        reporter = {"Authorization": f"Bearer {login.json()['token']}"}
        reply = await intake.client.post("/api/mailbox/messages", json={"body": HOSTILE},
                                         headers=reporter)
        assert reply.status_code == 201, reply.text
        sent = await triage.client.post(f"/api/meldingen/{melding_id}/messages",
                                        json={"body": HOSTILE}, headers=meldpunt)
        assert sent.status_code in (200, 201), sent.text
        _no_injected_header(sent)

        async def both_in_mailbox() -> bool:
            box = (await intake.client.get("/api/mailbox", headers=reporter)).json()
            return sum(m["body"] == HOSTILE.strip() for m in box["messages"]) == 2
        await eventually(both_in_mailbox)

        # The mailbox page shows them as text: every < is escaped, no markup survives.
        page = await intake.client.get("/mailbox")
        form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert form_token is not None
        shown = await intake.client.post("/mailbox", data={
            "receipt": filed["receipt"], "form_token": form_token.group(1)})
        assert shown.status_code == 200, shown.text
        assert "<script>alert" not in shown.text and "<img src=x" not in shown.text
        assert "<b onmouseover" not in shown.text
        assert "&lt;script&gt;alert(" in shown.text
        _no_injected_header(shown)

        # The store took it all in and works on: the next melding is filed as usual.
        again = await intake.client.post("/api/meldingen", json=_hostile_melding())
        assert again.status_code == 201
        _no_injected_header(again)


async def test_the_csv_export_holds_no_formula_and_no_free_text(settings: Settings) -> None:
    auditor = token(settings, "auditor")
    async with running("intake", settings) as intake, running("reporting", settings) as reporting:
        filed = await intake.client.post("/api/meldingen", json=_hostile_melding())
        year = int(filed.json()["acknowledged_at"][:4])

        async def counted() -> bool:
            response = await reporting.client.get("/api/reports/annual",
                                                  params={"year": year}, headers=auditor)
            return response.status_code == 200 and response.json()["meldingen"]["total"] != 0
        await eventually(counted, timeout=20)
        export = await reporting.client.get("/api/reports/annual", params={"year": year},
                                            headers=auditor | {"Accept": "text/csv"})
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"] == f'attachment; filename="meldingen-{year}.csv"'
    cells = [value for row in csv.reader(io.StringIO(export.text)) for value in row]
    assert cells and not any(value.startswith(FORMULA_START) for value in cells)
    assert "cmd|" not in export.text and "<script>" not in export.text


def test_a_formula_in_an_export_cell_is_neutralised() -> None:
    # The rule the export applies to every cell, against every formula start.
    for formula in FORMULAS:
        assert cell(formula) == "'" + formula, formula


async def test_crlf_in_a_query_or_path_never_reaches_a_header(sqlite_settings: Settings) -> None:
    auditor = token(sqlite_settings, "auditor")
    async with running("reporting", sqlite_settings) as reporting:
        response = await reporting.client.get(
            "/api/reports/annual", params={"year": f"2026{CRLF}"},
            headers=auditor | {"Accept": "text/csv"})
        assert response.status_code == 422
        _no_injected_header(response)
    async with running("intake", sqlite_settings) as intake:
        for path in ("/mailbox", "/"):
            response = await intake.client.get(path, params={"lang": f"en{CRLF}{SCRIPT}"})
            assert response.status_code < 500
            assert "<script>alert" not in response.text
            _no_injected_header(response)


async def test_the_web_form_shows_hostile_values_back_escaped(sqlite_settings: Settings) -> None:
    """A form with an error is shown again with what was typed: as text, in every
    field (hidden ones included), never as markup that breaks out of its attribute."""
    breakout = '"><script>alert(1)</script><input value="'
    async with running("intake", sqlite_settings) as intake:
        page = await intake.client.get("/")
        form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert form_token is not None
        posted = {"form_token": form_token.group(1), "kind": breakout, "theme": breakout,
                  "description": HOSTILE + breakout, "involved": breakout,
                  "occurred": breakout, "anonymous": breakout, "name": breakout,
                  "email": breakout, "phone": breakout, "identity_sealed": breakout,
                  "key_id": breakout, "lang": breakout}
        shown = await intake.client.post("/", data=posted)
    assert shown.status_code == 422, shown.status_code
    assert "<script>alert" not in shown.text and "<img src=x" not in shown.text
    assert '"><script' not in shown.text and "&lt;script&gt;" in shown.text
    _no_injected_header(shown)
