"""What waits on the console's home page, over HTTP (ASGI) against the real services:
the meldpunt sees how many meldingen have an unread reply from the reporter, and the
count drops once the melding is opened; the meldpunt sees the closing feedbacks it has
to write, writes one on the melding's page (the form prefilled with the template's
start) and the reporter reads it; an investigator sees the case whose response term
lapsed, until the lapse is recorded. Investigation runs on a clock of its own,
moved a day on; the others (and the sign-in) stay near the wall clock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.console.notifications.domain.mails import short_reference
from services.triage.domain.feedback import GAP, TEMPLATES
from shared.clock import MovableClock
from shared.config import Settings
from tests.consoleflows import ORIGIN, add, enrol, post, second_browser, sign_in
from tests.integration.test_procedure_happy_paths import SHA
from tests.support import (
    MELDING,
    NatsServer,
    RunningService,
    assessment,
    eventually,
    make_settings,
    ok,
    running,
    token,
)


@dataclass
class Services:
    settings: Settings
    intake: RunningService
    triage: RunningService
    investigation: RunningService
    console: RunningService
    clock: MovableClock
    #: Investigation's own, moved on to let a response term lapse.
    later: MovableClock


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         default_competent_authority="bert",
                         console_failure_delay_seconds=0.05, response_term_days=1,
                         response_term_check_seconds=0.05, notify_check_seconds=0.05)


@pytest.fixture
async def s(settings: Settings) -> AsyncIterator[Services]:
    # Behind the wall clock the services check tokens by (see test_console_queue).
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=4)
    clock, later = MovableClock(start), MovableClock(start)
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("investigation", settings, later) as investigation:
        transports = {"intake": httpx.ASGITransport(app=intake.app),
                      "triage": httpx.ASGITransport(app=triage.app),
                      "investigation": httpx.ASGITransport(app=investigation.app)}
        async with running("console", settings, clock, transports=transports) as console:
            console.client.base_url = ORIGIN
            yield Services(settings, intake, triage, investigation, console, clock, later)


async def signed_in(s: Services, client: httpx.AsyncClient, sub: str, *roles: str) -> None:
    secret = await enrol(client, add(s.console.application, sub, *roles), s.clock)
    assert (await sign_in(client, sub, secret, s.clock)).status_code == 303


def count(home: str, name: str) -> int:
    found = re.search(rf'id="count-{name}">.*?: (\d+)</a>', home)
    assert found, home[home.find("<main"):][:2000]
    return int(found.group(1))


async def test_unread_replies_and_lapsed_terms_wait_on_the_home_page(s: Services) -> None:
    filed = (await s.intake.client.post("/api/meldingen", json=MELDING)).json()
    melding_id = filed["id"]
    mia = s.console.client
    await signed_in(s, mia, "mia", "meldpunt")

    async def arrived() -> bool:
        return (await mia.get(f"/meldingen/{melding_id}")).status_code == 200

    await eventually(arrived)
    home = (await mia.get("/")).text
    assert count(home, "unread") == 0 and count(home, "overdue") == 0

    # The reporter replies: one melding with an unread reply, until the meldpunt opens it.
    login = (await s.intake.client.post("/api/mailbox/login",
                                        json={"receipt": filed["receipt"]})).json()
    await ok(s.intake.client.post("/api/mailbox/messages", json={"body": "Nog iets."},
                                  headers={"Authorization": f"Bearer {login['token']}"}),
             201)

    async def unread() -> bool:
        return count((await mia.get("/")).text, "unread") == 1

    await eventually(unread)
    assert 'href="/queue?reply_unread=true"' in (await mia.get("/")).text
    await mia.get(f"/meldingen/{melding_id}")
    assert count((await mia.get("/")).text, "unread") == 0

    # An investigation whose draft report's response term lapses.
    async with second_browser(s.console) as ivan:
        await signed_in(s, ivan, "ivan", "investigator")
        assert 'id="waiting-deadlines"' not in (await ivan.get("/")).text
        await _investigate_to_draft(s, melding_id)
        s.later.advance(timedelta(days=1, minutes=5))
        reference = short_reference(melding_id)

        async def lapse_listed() -> bool:
            return reference in (await ivan.get("/")).text

        await eventually(lapse_listed, timeout=20)
        assert f'href="/cases/{melding_id}"' in (await ivan.get("/")).text
        await ok(s.investigation.client.post(
            f"/api/cases/{melding_id}/response-term-lapsed",
            headers=token(s.settings, "investigator", "ivan")))
        assert reference not in (await ivan.get("/")).text


async def test_an_advisers_unread_replies_wait_on_their_home_page(s: Services) -> None:
    olga = s.console.client
    await signed_in(s, olga, "olga", "confidential_adviser")
    home = (await olga.get("/")).text
    assert count(home, "adviser-unread") == 0 and 'id="count-unread"' not in home
    filed = await ok(s.intake.client.post(
        "/api/meldingen", headers=token(s.settings, "confidential_adviser", "olga"),
        json={**MELDING, "anonymous": True, "identity": None,
              "channel": "confidential_adviser_integrity", "received_how": "in_person"}), 201)
    short = filed["id"][:8]

    # The reporter answers in the mailbox: one unread reply, marked in the list too.
    login = (await s.intake.client.post("/api/mailbox/login",
                                        json={"receipt": filed["receipt"]})).json()
    await ok(s.intake.client.post("/api/mailbox/messages", json={"body": "Nog iets."},
                                  headers={"Authorization": f"Bearer {login['token']}"}),
             201)
    assert count((await olga.get("/")).text, "adviser-unread") == 1
    assert f'id="unread-{short}"' in (await olga.get("/registered")).text

    # Opening the conversation reads it; another adviser's home counts nothing of it.
    assert "Nog iets." in (await olga.get(f"/registered/{filed['id']}")).text
    assert count((await olga.get("/")).text, "adviser-unread") == 0
    assert f'id="unread-{short}"' not in (await olga.get("/registered")).text
    async with second_browser(s.console) as karin:
        await signed_in(s, karin, "karin", "confidential_adviser")
        await ok(s.intake.client.post("/api/mailbox/messages", json={"body": "En nog."},
                                      headers={"Authorization": f"Bearer {login['token']}"}),
                 201)
        assert count((await karin.get("/")).text, "adviser-unread") == 0
    assert count((await olga.get("/")).text, "adviser-unread") == 1


async def test_the_meldpunt_writes_the_closing_feedback_from_the_home_page(
    s: Services,
) -> None:
    filed = (await s.intake.client.post("/api/meldingen",
                                        json={**MELDING, "language": "en"})).json()
    melding_id = filed["id"]
    mia = s.console.client
    await signed_in(s, mia, "mia", "meldpunt")

    async def arrived() -> bool:
        return (await mia.get(f"/meldingen/{melding_id}")).status_code == 200

    await eventually(arrived)
    assert count((await mia.get("/")).text, "closing-feedback") == 0
    assert 'id="closing-feedback-form"' not in (await mia.get(f"/meldingen/{melding_id}")).text

    advice = "Na het gesprek geen grond voor maatregelen."
    await ok(s.triage.client.post(f"/api/meldingen/{melding_id}/assessment",
                                  headers=token(s.settings, "meldpunt", "mia"),
                                  json=assessment(advice="no_action")))
    await ok(s.triage.client.post(
        f"/api/meldingen/{melding_id}/decision",
        headers=token(s.settings, "competent_authority", "bert"),
        json={"outcome": ["no_action"], "motivation": "Geen grond.", "feedback": advice}))
    home = (await mia.get("/")).text
    assert count(home, "closing-feedback") == 1
    assert 'href="/queue?closing_feedback_due=true"' in home
    assert short_reference(melding_id) in home and "overdue-mark" not in home

    # The form is prefilled with the closing template in the reporter's language, the
    # competent authority's words beside it as advice.
    page = (await mia.get(f"/meldingen/{melding_id}")).text
    assert 'id="closing-feedback-form"' in page
    assert TEMPLATES["en"]["no_action"].replace("'", "&#39;") in page and advice in page

    unfinished = await post(mia, f"/meldingen/{melding_id}/closing-feedback", page,
                            closing_feedback=f"Your report: {GAP}")
    assert unfinished.status_code == 422
    assert 'id="closing_feedback-error"' in unfinished.text
    words = "Your report has been assessed; no further action will be taken. Thank you."
    sent = await post(mia, f"/meldingen/{melding_id}/closing-feedback", unfinished.text,
                      closing_feedback=words)
    assert sent.status_code == 303, sent.text
    after = (await mia.get(sent.headers["location"])).text
    assert 'id="closing-notice"' in after and 'id="closing-feedback-form"' not in after
    assert count((await mia.get("/")).text, "closing-feedback") == 0

    login = (await s.intake.client.post("/api/mailbox/login",
                                        json={"receipt": filed["receipt"]})).json()
    reporter = {"Authorization": f"Bearer {login['token']}"}

    async def told() -> bool:
        mailbox = (await s.intake.client.get("/api/mailbox", headers=reporter)).json()
        return [m["body"] for m in mailbox["messages"] if m["purpose"] == "feedback"
                ] == [words]

    await eventually(told)


async def _investigate_to_draft(s: Services, melding_id: str) -> None:
    meldpunt = token(s.settings, "meldpunt", "mia")
    authority = token(s.settings, "competent_authority", "bert")
    ivan = token(s.settings, "investigator", "ivan")
    await ok(s.triage.client.post(f"/api/meldingen/{melding_id}/assessment",
                                  headers=meldpunt, json=assessment(advice="investigation")))
    await ok(s.triage.client.post(f"/api/meldingen/{melding_id}/decision", headers=authority,
                                  json={"outcome": ["investigation"], "motivation": "Ernstig."}))
    url = f"/api/cases/{melding_id}"
    cases = s.investigation.client

    async def known() -> bool:
        answer = await cases.post(f"{url}/investigators", headers=authority,
                                  json={"investigators": ["ivan"]})
        return answer.status_code == 200

    await eventually(known)
    for path, body in (("plan", {"text": "Plan."}),
                       ("interviews", {"interviewee": "x", "minutes": "m"}),
                       ("evidence", {"description": "Factuur", "sha256": SHA}),
                       ("draft-report", {"text": "Concept."})):
        await ok(cases.post(f"{url}/{path}", headers=ivan, json=body))
