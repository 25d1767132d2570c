"""A response term that passes without a response: investigation notices it with its
injected clock and publishes `response_term_lapsed` through its outbox once (a restart
does not notice it again), and the console mails the case's investigators and its
competent authority, and nobody else, a mail with nothing of the case in it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.console.notifications.domain.mails import short_reference
from shared.clock import MovableClock
from shared.config import Settings
from shared.contracts import ResponseTermLapsed
from tests.integration.test_procedure_happy_paths import SHA, file_and_decide
from tests.mailserver import SmtpServer
from tests.notifyflows import Intake, add_staff, address, assert_no_content, quiet, texts
from tests.support import NatsServer, eventually, jetstream, make_settings, ok, running, token

SUBJECT = "meldingen.investigation.response_term_lapsed"
STAFF = [("mia", "meldpunt"), ("tester", "competent_authority"), ("carl", "competent_authority"),
         ("ivan", "investigator"), ("ivy", "investigator"), ("olga", "auditor")]


class Investigation(Intake):
    source = "investigation"


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, smtp_url=smtp.url,
                         smtp_from="meldingen@example.org", notify_check_seconds=0.05,
                         response_term_days=10, response_term_check_seconds=0.05)


async def published(settings: Settings) -> int:
    async with jetstream(settings) as js:
        info = await js.stream_info(settings.stream, subjects_filter=SUBJECT)
    return (info.state.subjects or {}).get(SUBJECT, 0)


async def test_a_lapsed_response_term_is_published_once_and_mailed_to_the_case(
        settings: Settings, smtp: SmtpServer) -> None:
    clock = MovableClock(datetime.now(UTC) - timedelta(minutes=4))
    async with running("console", settings, clock) as console:
        add_staff(console.application, STAFF)
        async with running("intake", settings, clock) as intake, \
                running("triage", settings, clock) as triage, \
                running("investigation", settings, clock) as investigation:
            s = {"intake": intake, "triage": triage, "investigation": investigation}
            melding_id, _ = await file_and_decide(s, settings, ["investigation"])
            authority, ivan = token(settings, "competent_authority"), token(
                settings, "investigator", "ivan")
            url = f"/api/cases/{melding_id}"
            cases = investigation.client

            async def listed() -> bool:
                return investigation.application.directory.find("ivan") is not None

            await eventually(listed)
            await ok(await cases.post(f"{url}/investigators", headers=authority,
                                      json={"investigators": ["ivan"]}))
            for path, body in (("plan", {"text": "Plan."}),
                               ("interviews", {"interviewee": "x", "minutes": "m"}),
                               ("evidence", {"description": "Factuur", "sha256": SHA})):
                await ok(await cases.post(f"{url}/{path}", headers=ivan, json=body))
            case = await ok(await cases.post(f"{url}/draft-report", headers=ivan,
                                             json={"text": "Concept."}))
            ends = datetime.fromisoformat(case["response_term_ends"])
            assert ends - datetime.fromisoformat(case["draft_report"]["at"]) == timedelta(
                days=10)  # the setting, not the default 14 days
            await eventually(lambda: len(smtp.mails) >= 2)  # the new melding, routed
            before = len(smtp.mails)
            clock.advance(timedelta(days=9))
            await quiet(0.3)
            assert await published(settings) == 0
            clock.advance(timedelta(days=1, minutes=5))

            async def lapse_published() -> bool:
                return await published(settings) == 1

            await eventually(lapse_published)
        # A restart reads the case again: the lapse was noticed already.
        async with running("investigation", settings, clock):
            await quiet(0.5)
            assert await published(settings) == 1

        await eventually(lambda: len(smtp.mails) == before + 2)
        # A second copy of the fact (as a replayed outbox would publish it, at another
        # position) mails nobody again: the notice's id is the case's and the draft's.
        copy = Investigation(settings)
        copy.positions = itertools.count(10_000)
        await copy.publish(ResponseTermLapsed(
            melding_id=melding_id, draft_version=1, term_ended=ends, investigators=["ivan"],
            competent_authority="tester", at=clock.now()))

        async def tracked() -> bool:
            position = console.application.recorder.max_tracking_id(
                f"{settings.stream}.investigation")
            return bool(position and position >= 10_000)

        await eventually(tracked)
        await quiet()
        assert console.app.state.parts.runtime.parked() == 0
    lapsed = smtp.mails[before:]
    assert sorted(to for mail in lapsed for to in mail.to) == [address("ivan"),
                                                               address("tester")]
    for mail in lapsed:
        assert "zienswijze" in mail.subject and short_reference(melding_id) in mail.subject
        assert f"/cases/{melding_id}" in mail.body and "not a safe place" in mail.body
    assert_no_content(texts(smtp))
