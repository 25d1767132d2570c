"""The console's queue and melding pages over HTTP (ASGI), calling real intake and
triage (a real nats-server, SQLite) as the signed-in person: the queue's filters,
paging and deadlines, the melding page per role, the assessment, a message to the
reporter and the decision, and every refusal triage makes shown in plain words with
the field it named, changing nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from shared.clock import MovableClock
from shared.config import Settings
from tests.consoleflows import ORIGIN, add, enrol, post, second_browser, sign_in
from tests.support import (
    MELDING,
    NatsServer,
    RunningService,
    eventually,
    make_settings,
    running,
)


@dataclass
class Procedure:
    intake: RunningService
    triage: RunningService
    console: RunningService
    clock: MovableClock


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    # bert decides: the default competent authority the meldingen here are routed to.
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         default_competent_authority="bert",
                         console_failure_delay_seconds=0.05)


@pytest.fixture
async def procedure(settings: Settings) -> AsyncIterator[Procedure]:
    # Behind the wall clock, which the services check tokens by: each sign-in moves
    # this clock on past its used codes, and a token must not come from the future.
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3))
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("console", settings, clock,
                    transports={"triage": httpx.ASGITransport(app=triage.app)}) as console:
        console.client.base_url = ORIGIN
        yield Procedure(intake, triage, console, clock)


async def signed_in(p: Procedure, client: httpx.AsyncClient, sub: str, *roles: str) -> None:
    secret = await enrol(client, add(p.console.application, sub, *roles), p.clock)
    answer = await sign_in(client, sub, secret, p.clock)
    assert answer.status_code == 303, answer.text


async def file(p: Procedure, **changes: object) -> str:
    response = await p.intake.client.post("/api/meldingen", json={**MELDING, **changes})
    assert response.status_code == 201, response.text
    melding_id: str = response.json()["id"]
    return melding_id


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="utrecht-table__row[^"]*" id="melding-([^"]+)"', html)


async def test_the_meldpunt_filters_pages_and_opens_the_queue(procedure: Procedure) -> None:
    p = procedure
    named = await file(p)
    anonymous = await file(p, anonymous=True, identity=None, theme="conduct")
    client = p.console.client
    await signed_in(p, client, "mia", "meldpunt")

    async def both_arrived() -> bool:
        return len(rows((await client.get("/queue")).text)) == 2

    await eventually(both_arrived)
    page = (await client.get("/queue")).text
    assert "Bevestigen vóór" in page and "Pagina 1 van 1" in page
    assert "Termijn verstreken</strong>" not in page

    # Triage's filters, chosen on the page and kept in the language switch.
    filtered = await client.get("/queue", params={"theme": "conduct"})
    assert rows(filtered.text) == [anonymous]
    assert 'href="/queue?theme=conduct&amp;page=1&amp;lang=en"' in filtered.text
    english = await client.get("/queue", params={"theme": "conduct", "lang": "en"})
    assert "Acknowledge by" in english.text and rows(english.text) == [anonymous]
    await client.get("/queue", params={"lang": "nl"})

    # A filter triage does not know: its refusal names the field, on the queue page.
    bogus = await client.get("/queue", params={"status": "lost"})
    assert bogus.status_code == 422
    assert 'id="status-error"' in bogus.text and "Er is iets niet goed ingevuld" in bogus.text
    no_page = await client.get("/queue", params={"page": "two"})
    assert no_page.status_code == 422 and 'id="page-error"' in no_page.text

    # A named reporter's identity for the meldpunt; an anonymous one's for nobody here.
    melding = (await client.get(f"/meldingen/{named}")).text
    assert MELDING["description"] in melding and "Jan Jansen" in melding
    assert 'id="assessment-form"' in melding and 'id="decision-form"' not in melding
    hidden = (await client.get(f"/meldingen/{anonymous}")).text
    assert "alleen voor de vertrouwenspersoon" in hidden and "Jan Jansen" not in hidden


async def test_assessment_message_and_decision_through_the_pages(
    procedure: Procedure
) -> None:
    p = procedure
    melding_id = await file(p)
    meldpunt = p.console.client
    await signed_in(p, meldpunt, "mia", "meldpunt")

    async def arrived() -> bool:
        return rows((await meldpunt.get("/queue")).text) == [melding_id]

    await eventually(arrived)
    path = f"/meldingen/{melding_id}"
    page = (await meldpunt.get(path)).text

    # Half a form: triage refuses it, naming each field; the page marks them.
    refused = await post(meldpunt, f"{path}/assessment", page, motivation="Te kort?")
    assert refused.status_code == 422
    for field in ("admissible", "reasonable_grounds", "code_violation", "severity",
                  "advice"):
        assert f'id="{field}-error"' in refused.text, field
    assert "Te kort?" in refused.text  # what was typed stays
    assert (await meldpunt.get(path)).text.count("Nieuw") >= 1

    # The whole form: assessed, and the decision is not the meldpunt's to offer.
    done = await post(meldpunt, f"{path}/assessment", page, admissible="true",
                      reasonable_grounds="true", code_violation="true", severity="medium",
                      theme="gifts", advice="investigation",
                      motivation="Voldoende aanwijzingen voor een onderzoek.")
    assert (done.status_code, done.headers["location"]) == (303, f"{path}?done=assessment")
    page = (await meldpunt.get(done.headers["location"])).text
    assert "De beoordeling is vastgelegd." in page
    assert 'id="assessment-form"' in page  # a re-assessment, until the decision
    assert 'id="decision-form"' not in page

    # A message to the reporter's mailbox, in the conversation.
    sent = await post(meldpunt, f"{path}/messages", page, body="Wij onderzoeken het.",
                      purpose="message")
    assert sent.status_code == 303
    assert "Wij onderzoeken het." in (await meldpunt.get(path)).text

    # A post without the session's form token changes nothing.
    forged = await meldpunt.post(f"{path}/messages", data={"body": "x", "csrf": "no"},
                                 headers={"origin": ORIGIN})
    assert forged.status_code == 403

    # The competent authority decides; a second decision is refused with the state.
    async with second_browser(p.console) as authority:
        await signed_in(p, authority, "bert", "competent_authority")
        page = (await authority.get(path)).text
        assert 'id="decision-form"' in page and "Jan Jansen" not in page
        empty = await post(authority, f"{path}/decision", page, motivation="")
        assert empty.status_code == 422 and 'id="outcome-error"' in empty.text
        # A referral names where it goes: triage's refusal names the field.
        untargeted = await post(authority, f"{path}/decision", page, outcome="referral",
                                motivation="Elders.")
        assert untargeted.status_code == 422 and 'id="referral_to-error"' in untargeted.text
        decided = await post(authority, f"{path}/decision", page, outcome="investigation",
                             motivation="Onderzoek is nodig.")
        assert decided.status_code == 303
        again = await post(authority, f"{path}/decision", page, outcome="no_action",
                           motivation="Toch niet.")
        assert again.status_code == 409
        assert "Deze stap kan nu niet." in again.text and "Besloten" in again.text
        # Assessing is not the competent authority's: refused before any call.
        assert (await post(authority, f"{path}/assessment", page)).status_code == 403


async def test_a_role_without_the_queue_is_told_so(procedure: Procedure) -> None:
    p = procedure
    await signed_in(p, p.console.client, "ada", "administrator")
    answer = await p.console.client.get("/queue")
    assert answer.status_code == 403 and "U mag dit niet doen met uw rol." in answer.text
    unknown = await p.console.client.get("/meldingen/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 403


async def test_an_id_from_the_address_bar_reaches_only_that_melding(
    procedure: Procedure
) -> None:
    p = procedure
    await signed_in(p, p.console.client, "mia", "meldpunt")
    # A query or a path in the id stays inside it: triage is asked for no other route.
    for hostile in ("%3Fstatus=closed", "x%23fragment",
                    "00000000-0000-0000-0000-000000000000"):
        answer = await p.console.client.get(f"/meldingen/{hostile}")
        assert answer.status_code in (404, 422), (hostile, answer.status_code)
        assert "Dat kan niet" in answer.text


async def test_the_new_filters_the_unread_mark_the_search_and_notes(
    procedure: Procedure
) -> None:
    p = procedure
    bike = await file(p)
    p.clock.advance(timedelta(minutes=1))
    laptop = await file(p, kind="wrongdoing",
                        description="Een collega nam een laptop mee naar huis.")
    client = p.console.client
    await signed_in(p, client, "mia", "meldpunt")

    async def both_arrived() -> bool:
        return len(rows((await client.get("/queue")).text)) == 2

    await eventually(both_arrived)
    assert rows((await client.get("/queue", params={"kind": "wrongdoing"})).text) == [laptop]
    by_deadline = await client.get("/queue", params={"sort": "deadline"})
    assert rows(by_deadline.text) == [bike, laptop]
    bogus = await client.get("/queue", params={"sort": "name"})
    assert bogus.status_code == 422 and 'id="sort-error"' in bogus.text

    # A reporter's reply shows as unread until the meldpunt opens the melding.
    receipt = (await p.intake.client.post("/api/meldingen", json=MELDING)).json()
    login = (await p.intake.client.post("/api/mailbox/login",
                                        json={"receipt": receipt["receipt"]})).json()
    await p.intake.client.post("/api/mailbox/messages", json={"body": "Nog iets."},
                               headers={"Authorization": f"Bearer {login['token']}"})

    async def unread() -> bool:
        page = await client.get("/queue", params={"reply_unread": "true"})
        return rows(page.text) == [receipt["id"]] and "Ongelezen reactie</strong>" in page.text

    await eventually(unread)
    await client.get(f"/meldingen/{receipt['id']}")
    assert rows((await client.get("/queue", params={"reply_unread": "true"})).text) == []

    # The search is a posted form: the words are in no address, the filters still apply.
    page = (await client.get("/queue", params={"kind": "wrongdoing"})).text
    found = await post(client, "/queue/search", page, text="LAPTOP", kind="wrongdoing")
    assert found.status_code == 200 and rows(found.text) == [laptop]
    assert "LAPTOP" not in str(found.url) and 'value="LAPTOP"' in found.text
    empty = await post(client, "/queue/search", page, text="")
    assert empty.status_code == 422 and 'id="text-error"' in empty.text
    forged = await client.post("/queue/search", data={"text": "laptop"},
                               headers={"origin": ORIGIN})
    assert forged.status_code == 403 and rows(forged.text) == []

    # Notes on the melding page: shown to staff, refused empty, naming the field.
    melding = (await client.get(f"/meldingen/{bike}")).text
    assert 'id="note-form"' in melding and "Nog geen notities." in melding
    added = await post(client, f"/meldingen/{bike}/notes", melding, note="Bel de leverancier.")
    assert added.status_code == 303
    shown = (await client.get(added.headers["location"])).text
    assert "Bel de leverancier." in shown and "De notitie is toegevoegd." in shown
    blank = await post(client, f"/meldingen/{bike}/notes", shown, note="  ")
    assert blank.status_code == 422 and 'id="note-error"' in blank.text
