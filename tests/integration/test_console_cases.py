"""The console's case pages over HTTP (ASGI), calling real intake, triage and
investigation (a real nats-server, SQLite) as the signed-in person: the competent
authority assigns an investigator from the directory, the investigator works the
protocol step by step (only the step the case allows is offered; one posted out of
order anyway is refused with investigation's reason), the evidence's file is kept by
investigation byte for byte and downloaded from the case page, and the measures close
the case, which the melding's timeline shows."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import LOCAL
from tests.consoleflows import ORIGIN, add, csrf_of, enrol, post, second_browser, sign_in
from tests.support import MELDING, NatsServer, RunningService, eventually, make_settings, running


@dataclass
class Procedure:
    intake: RunningService
    console: RunningService
    clock: MovableClock


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    # bert decides: the default competent authority the meldingen here are routed to.
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         default_competent_authority="bert",
                         console_failure_delay_seconds=0.05, attachment_max_bytes=200_000)


#: Over the console's own body limit (64 KiB), under the files' (200 kB here).
EVIDENCE = b"%PDF-1.4 factuur fiets\n" + b"% regel\n" * 12_000


@pytest.fixture
async def procedure(settings: Settings) -> AsyncIterator[Procedure]:
    # Behind the wall clock the services check tokens by (see test_console_queue).
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=4))
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("investigation", settings, clock) as investigation:
        transports = {"triage": httpx.ASGITransport(app=triage.app),
                      "investigation": httpx.ASGITransport(app=investigation.app)}
        async with running("console", settings, clock, transports=transports) as console:
            console.client.base_url = ORIGIN
            yield Procedure(intake, console, clock)


async def signed_in(p: Procedure, client: httpx.AsyncClient, sub: str, *roles: str) -> None:
    secret = await enrol(client, add(p.console.application, sub, *roles), p.clock)
    assert (await sign_in(client, sub, secret, p.clock)).status_code == 303


#: What the competent authority may do beside the protocol's next step while a case
#: runs (test_console_case_concerned.py walks them).
STANDING = ("take_interim_measure", "inform_person_concerned", "postpone_informing")


def file_error(html: str) -> str:
    """The evidence form's message on its file input."""
    found = re.search(r'<p class="utrecht-form-field-error-message" id="file-error">'
                      r'<span class="visually-hidden">[^<]*</span>([^<]*)</p>', html)
    assert found, html[html.find('id="add_evidence-form"'):][:2000]
    return found.group(1)


def offered(html: str) -> list[str]:
    return re.findall(r'id="(\w+)-form"', html)


def protocol(html: str) -> list[str]:
    """The steps offered, without the competent authority's standing ones."""
    return [command for command in offered(html) if command not in STANDING]


async def step(client: httpx.AsyncClient, path: str, command: str, **fields: str) -> str:
    """Posts one step's form from the case page; returns the page after it."""
    page = (await client.get(path)).text
    assert command in offered(page), (command, offered(page))
    answer = await post(client, f"{path}/{command}", page, **fields)
    assert answer.status_code == 303, answer.text[answer.text.find("<main"):][:2000]
    return (await client.get(answer.headers["location"])).text


async def test_an_investigation_through_the_case_pages(procedure: Procedure) -> None:
    p = procedure
    filed = await p.intake.client.post("/api/meldingen", json=MELDING)
    melding_id = filed.json()["id"]
    melding = f"/meldingen/{melding_id}"
    case = f"/cases/{melding_id}"
    ivo = add(p.console.application, "ivo", "investigator")  # in the directory, to choose
    add(p.console.application, "ivy", "investigator")
    authority = p.console.client
    # As meldpunt first: a competent authority sees a melding only once it is routed.
    await signed_in(p, authority, "bert", "meldpunt", "competent_authority")

    async def arrived() -> bool:
        return 'id="assessment-form"' in (await authority.get(melding)).text

    await eventually(arrived)
    page = (await authority.get(melding)).text
    await post(authority, f"{melding}/assessment", page, admissible="true",
               reasonable_grounds="true", code_violation="true", severity="high",
               theme="gifts", advice="investigation", motivation="Ernstig genoeg.")
    page = (await authority.get(melding)).text
    await post(authority, f"{melding}/decision", page, outcome="investigation",
               motivation="Een onderzoek is nodig.")

    async def opened() -> bool:
        return (await authority.get(case)).status_code == 200

    await eventually(opened)
    page = (await authority.get(case)).text
    assert offered(page) == ["assign_investigators", *STANDING]
    assert 'value="ivo"' in page  # the directory's investigators to choose from
    none = await post(authority, f"{case}/assign_investigators", page)
    assert none.status_code == 422 and 'id="investigators-error"' in none.text
    page = await step(authority, case, "assign_investigators", investigators="ivo")
    assert protocol(page) == ["change_investigators"] and "ivo" in page
    # While the investigation is open, one more is added and taken off again.
    unchosen = await post(authority, f"{case}/change_investigators", page, change="add")
    assert unchosen.status_code == 422 and 'id="investigator-error"' in unchosen.text
    page = await step(authority, case, "change_investigators", investigator="ivy",
                      change="add")
    assert "ivo, ivy" in page.split('id="investigators">', 1)[1].split("</dd>", 1)[0]
    page = await step(authority, case, "change_investigators", investigator="ivy",
                      change="remove")
    assert page.split('id="investigators">', 1)[1].startswith("ivo<")
    last = await post(authority, f"{case}/change_investigators", page, investigator="ivo",
                      change="remove")  # one stays
    assert last.status_code == 422 and 'id="investigator-error"' in last.text

    async with second_browser(p.console) as investigator:
        secret = await enrol(investigator, ivo, p.clock)
        assert (await sign_in(investigator, "ivo", secret, p.clock)).status_code == 303
        listing = (await investigator.get("/cases")).text
        assert f'id="case-{melding_id}"' in listing and "Pagina 1 van 1" in listing
        page = (await investigator.get(case)).text
        assert offered(page) == ["record_plan"]
        # A step out of order is not offered; posted anyway, investigation says why.
        early = await post(investigator, f"{case}/issue_final_report", page,
                           final_text="Klaar.", conclusion="founded")
        assert early.status_code == 409 and "Deze stap kan nu niet." in early.text
        assert "Onderzoekers aangewezen" in early.text

        await step(investigator, case, "record_plan", plan_text="Twee interviews.")
        page = await step(investigator, case, "record_interview", interviewee="Afdelingshoofd",
                          interview_minutes="Hij ontkent.")
        assert offered(page) == ["record_interview", "comment_on_interview", "add_evidence"]
        await step(investigator, case, "comment_on_interview", interview_id="1",
                   comment_text="Ik ontkende niet alles.")
        # The evidence's file: kept by investigation byte for byte, its sha256 computed
        # there, and downloaded from the case page as uploaded.
        page = (await investigator.get(case)).text
        uploaded = await investigator.post(
            f"{case}/add_evidence", data={"csrf": csrf_of(page),
                                          "evidence_description": "Factuur van de fiets"},
            files={"file": ("factuur.pdf", EVIDENCE, "application/pdf")},
            headers={"origin": ORIGIN})
        assert uploaded.status_code == 303, uploaded.text
        page = (await investigator.get(case)).text
        assert hashlib.sha256(EVIDENCE).hexdigest() in page
        [link] = re.findall(rf'href="({case}/evidence/[0-9a-f]+)"', page)
        downloaded = await investigator.get(link)
        assert downloaded.status_code == 200 and downloaded.content == EVIDENCE
        assert downloaded.headers["content-disposition"].startswith(
            'attachment; filename="factuur.pdf"')
        assert "evidence file" in (await investigator.get(case)).text  # in the history
        # A file over the limit is refused on the same page, with its reason.
        page = (await investigator.get(case)).text
        too_large = await investigator.post(
            f"{case}/add_evidence", data={"csrf": csrf_of(page),
                                          "evidence_description": "Te groot"},
            files={"file": ("groot.pdf", b"%PDF-1.4 " + b"0" * 300_000, "application/pdf")},
            headers={"origin": ORIGIN})
        assert too_large.status_code == 413, too_large.text[:500]
        assert "De tekst of het bestand is te groot." in too_large.text
        assert 'id="add_evidence-form"' in too_large.text
        # The file input is named, with the limit; the description typed stays.
        assert file_error(too_large.text) == \
            "Het bestand is te groot: hooguit 200000 bytes per bestand"
        assert 'aria-invalid="true"' in too_large.text and "Te groot</textarea>" in too_large.text
        empty = await investigator.post(
            f"{case}/add_evidence", data={"csrf": csrf_of(page),
                                          "evidence_description": "Leeg bestand"},
            files={"file": ("leeg.pdf", b"", "application/pdf")}, headers={"origin": ORIGIN})
        assert empty.status_code == 422, empty.text[:500]
        assert file_error(empty.text) == "Het bestand is leeg; kies het bestand opnieuw"
        assert "Leeg bestand</textarea>" in empty.text
        await step(investigator, case, "issue_draft_report", draft_text="Concept.")
        # The response's term has not passed: investigation refuses the lapse, saying so.
        page = (await investigator.get(case)).text
        ends = (p.clock.now() + timedelta(days=14)).astimezone(LOCAL).date().isoformat()
        assert f"De betrokkene kan tot {ends} een zienswijze geven." in page
        lapse = await post(investigator, f"{case}/record_response_lapse", page)
        assert lapse.status_code == 409 and "runs until" in lapse.text
        await step(investigator, case, "record_response", response_text="Mijn zienswijze.")
        empty = await post(investigator, f"{case}/issue_final_report",
                           (await investigator.get(case)).text, final_text="Rapport.")
        assert empty.status_code == 422 and 'id="conclusion-error"' in empty.text
        assert "Rapport." in empty.text  # what was typed stays
        page = await step(investigator, case, "issue_final_report", final_text="Rapport.",
                          conclusion="founded")
        assert "Gegrond" in page and offered(page) == []

    page = (await authority.get(case)).text
    assert protocol(page) == ["take_measures"]
    nothing = await post(authority, f"{case}/take_measures", page)
    assert nothing.status_code == 422 and 'id="kind-error"' in nothing.text
    page = await step(authority, case, "take_measures", target="person",
                      kind="written_reprimand", measure_description="Berisping.")
    assert "Schriftelijke berisping" in page and "Gesloten" in page
    timeline = (await authority.get(melding)).text
    assert 'id="case-link"' in timeline and "final report issued (founded)" in timeline
