"""The console's notification pages: each person chooses immediate mails or a daily
digest, a bad choice is refused naming the field and changes nothing, and in the
development run without SMTP the mails land in var/ and the console shows each
person their own."""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.console.notifications.domain.mails import short_reference
from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import add_months
from tests.consoleflows import ORIGIN, add, enrol, post, sign_in
from tests.integration.test_notifications import Intake, assert_no_content
from tests.support import NatsServer, RunningService, eventually, make_settings, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         console_failure_delay_seconds=0.05, notify_check_seconds=0.05)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def console(settings: Settings, clock: MovableClock) -> AsyncIterator[RunningService]:
    async with running("console", settings, clock) as service:
        service.client.base_url = ORIGIN
        yield service


async def signed_in(console: RunningService, clock: MovableClock, sub: str, role: str
                    ) -> None:
    secret = await enrol(console.client, add(console.application, sub, role), clock)
    answer = await sign_in(console.client, sub, secret, clock)
    assert answer.status_code == 303


async def test_a_person_chooses_the_daily_digest_and_a_bad_choice_changes_nothing(
    console: RunningService, clock: MovableClock,
) -> None:
    await signed_in(console, clock, "mia", "meldpunt")
    notifier = console.app.state.parts.notifier
    account = (await console.client.get("/account")).text
    assert 'href="/account/notifications"' in account
    page = (await console.client.get("/account/notifications")).text
    assert 'value="immediate" id="delivery-immediate" checked' in page

    refused = await post(console.client, "/account/notifications", page, delivery="weekly")
    assert refused.status_code == 422
    assert 'id="delivery-error"' in refused.text and "Kies hoe" in refused.text
    assert notifier.delivery_of("mia") == "immediate"

    forged = await console.client.post("/account/notifications",
                                       data={"csrf": "x", "delivery": "digest"},
                                       headers={"origin": ORIGIN})
    assert forged.status_code == 403
    assert notifier.delivery_of("mia") == "immediate"

    chosen = await post(console.client, "/account/notifications", page, delivery="digest")
    assert (chosen.status_code, chosen.headers["location"]) == (
        303, "/account/notifications?saved=1")
    assert notifier.delivery_of("mia") == "digest"
    page = (await console.client.get("/account/notifications?saved=1")).text
    assert 'value="digest" id="delivery-digest" checked' in page


async def test_without_smtp_mails_go_to_var_and_the_console_shows_ones_own(
    console: RunningService, clock: MovableClock, settings: Settings,
) -> None:
    await signed_in(console, clock, "mia", "meldpunt")
    add(console.application, "mark", "meldpunt")
    melding_id = await Intake(settings).melding()
    sent = settings.var_dir / "mail" / "sent.jsonl"
    await eventually(lambda: sent.exists() and len(sent.read_text().splitlines()) == 2)
    assert stat.S_IMODE(sent.stat().st_mode) == 0o600
    assert stat.S_IMODE(sent.parent.stat().st_mode) == 0o700
    mails = [json.loads(line) for line in sent.read_text().splitlines()]
    assert sorted(m["to"] for m in mails) == ["mark@example.org", "mia@example.org"]
    page = (await console.client.get("/account/mail")).text
    assert page.count(short_reference(melding_id)) >= 1
    assert page.count("<article") == 1  # mia's own, not mark's
    assert_no_content([f"{m['subject']}\n{m['body']}" for m in mails])


async def test_the_home_page_lists_the_open_feedback_terms_one_was_reminded_of(
    console: RunningService, clock: MovableClock, settings: Settings,
) -> None:
    await signed_in(console, clock, "mia", "meldpunt")
    notifier = console.app.state.parts.notifier
    home = (await console.client.get("/")).text
    assert 'id="reminders"' not in home
    acknowledged = add_months(clock.now() + timedelta(days=3), -3)
    melding_id = await Intake(settings).melding(at=acknowledged)
    await eventually(lambda: notifier.board.reminders_for("mia") != [])
    home = (await console.client.get("/")).text
    assert 'id="reminders"' in home
    assert f'href="/meldingen/{melding_id}"' in home
    assert short_reference(melding_id) in home

    [term_id] = notifier.board.open_terms()
    term = console.application.repository.get(term_id)
    term.end(at=clock.now())
    console.application.save(term)
    assert 'id="reminders"' not in (await console.client.get("/")).text
