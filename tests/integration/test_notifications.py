"""Notifications end to end: integration events on a real NATS stream, the console's
inbox deciding notices, and mails arriving at a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from services.console.bootstrap import build_application, build_parts
from services.console.notifications.domain.mails import short_reference
from shared.clock import MovableClock
from shared.config import Settings
from shared.contracts import (
    CompetentAuthorityAssigned,
    MeldingClosed,
    MeldingReceived,
    MeldingRecused,
    MeldingReopened,
    ReporterReplied,
)
from shared.terms import LOCAL, add_months
from tests.consoleflows import ORIGIN
from tests.mailserver import SmtpServer, free_port
from tests.notifyflows import (
    MORE_STAFF,
    STAFF,
    Intake,
    Triage,
    add_staff,
    address,
    assert_no_content,
    decided,
    notify_settings,
    quiet,
    texts,
)
from tests.support import NatsServer, eventually, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer) -> Settings:
    return notify_settings(tmp_path, nats_server, smtp)


async def test_a_new_melding_mails_the_meldpunt_and_nobody_else(
    settings: Settings, smtp: SmtpServer,
) -> None:
    async with running("console", settings) as console:
        add_staff(console.application)
        melding_id = await Intake(settings).melding()
        await eventually(lambda: len(smtp.mails) >= 1)
        await quiet()
    [mail] = smtp.mails
    assert mail.to == [address("mia")]
    assert short_reference(melding_id) in mail.subject
    assert f"{ORIGIN}/meldingen/{melding_id}" in mail.body
    assert "geen veilige plek" in mail.body and "not a safe place" in mail.body
    assert_no_content(texts(smtp))


async def test_a_copy_of_an_event_mails_nobody_twice(settings: Settings, smtp: SmtpServer
                                                     ) -> None:
    """Intake's event published again (as a relay re-publishes after the stream's
    de-duplication window): the notice's natural id makes no twin."""
    intake = Intake(settings)
    async with running("console", settings) as console:
        add_staff(console.application)
        melding = MeldingReceived(
            melding_id=str(uuid4()), kind="integrity_violation", theme="gifts",
            channel="web", description="Iets.", involved=[], occurred=None, anonymous=True,
            identity=None, received_at=datetime.now(UTC), acknowledged_at=datetime.now(UTC))
        for _ in range(2):
            await intake.publish(melding)
        recorder = console.application.recorder
        await eventually(lambda: (recorder.max_tracking_id(f"{settings.stream}.intake")
                                  or 0) >= 2)  # both copies taken in
        await eventually(lambda: len(smtp.mails) >= 1)
        await quiet()
    assert [m.to for m in smtp.mails] == [[address("mia")]]


async def test_a_melding_routed_to_a_competent_authority_mails_them_and_the_meldpunt(
    settings: Settings, smtp: SmtpServer,
) -> None:
    """And nobody else: not the other competent authority, not the meldpunt officer
    concerned in it, who hears nothing of it after the assessment either."""
    intake, triage = Intake(settings), Triage(settings)
    async with running("console", settings) as console:
        add_staff(console.application, STAFF + MORE_STAFF)
        melding_id = await intake.melding()
        await eventually(lambda: len(smtp.mails) == 2)  # mia and nora, at receipt
        await triage.assessed(melding_id, "bert", excluded=["NORA"])
        await eventually(lambda: len(smtp.mails) == 3)
        await intake.publish(ReporterReplied(melding_id=melding_id, body="Nog iets.",
                                             at=datetime.now(UTC)))
        await eventually(lambda: len(smtp.mails) == 4)
        await quiet()
    received, routed, replied = smtp.mails[:2], smtp.mails[2], smtp.mails[3]
    assert sorted(m.to[0] for m in received) == [address("mia"), address("nora")]
    assert routed.to == [address("bert")] and "bevoegd gezag" in routed.subject
    assert short_reference(melding_id) in routed.subject
    assert f"{ORIGIN}/meldingen/{melding_id}" in routed.body
    assert replied.to == [address("mia")]
    assert len(smtp.mails) == 4
    assert_no_content(texts(smtp))


async def test_a_reassignment_mails_the_new_authority_and_a_recused_one_hears_no_more(
    settings: Settings, smtp: SmtpServer,
) -> None:
    intake, triage = Intake(settings), Triage(settings)
    async with running("console", settings) as console:
        add_staff(console.application, STAFF + MORE_STAFF)
        melding_id = await intake.melding()
        await triage.assessed(melding_id, None, excluded=[])  # flagged: nobody decides
        await eventually(lambda: len(smtp.mails) == 2)
        await quiet()
        assert len(smtp.mails) == 2
        await triage.publish(CompetentAuthorityAssigned(melding_id=melding_id, sub="carl",
                                                        at=datetime.now(UTC)))
        await eventually(lambda: len(smtp.mails) == 3)
        await triage.publish(MeldingRecused(melding_id=melding_id, sub="mia",
                                            at=datetime.now(UTC)))
        await intake.publish(ReporterReplied(melding_id=melding_id, body="Nog iets.",
                                             at=datetime.now(UTC)))
        await eventually(lambda: len(smtp.mails) == 4)
        await quiet()
    assert smtp.mails[2].to == [address("carl")]
    assert smtp.mails[3].to == [address("nora")]
    assert len(smtp.mails) == 4


async def test_a_reporter_reply_mails_the_meldpunt(settings: Settings, smtp: SmtpServer
                                                   ) -> None:
    intake = Intake(settings)
    async with running("console", settings) as console:
        add_staff(console.application)
        melding_id = await intake.melding()
        await intake.publish(ReporterReplied(
            melding_id=melding_id, body="Karel Klaassen deed het weer, met een fiets.",
            at=datetime.now(UTC)))
        await eventually(lambda: len(smtp.mails) >= 2)
        await quiet()
    replies = [m for m in smtp.mails if "gereageerd" in m.subject]
    assert [m.to for m in replies] == [[address("mia")]]
    assert short_reference(melding_id) in replies[0].subject
    assert len(smtp.mails) == 2
    assert_no_content(texts(smtp))


async def test_feedback_due_a_week_away_and_on_the_day_mails_the_meldpunt(
    settings: Settings, smtp: SmtpServer,
) -> None:
    acknowledged = datetime(2026, 3, 2, 10, tzinfo=UTC)
    due = add_months(acknowledged, 3)  # 2 June 2026
    clock = MovableClock(acknowledged)
    async with running("console", settings, clock) as console:
        add_staff(console.application)
        melding_id = await Intake(settings).melding(at=acknowledged)
        await eventually(lambda: len(smtp.mails) == 1)  # the new melding's
        clock.set(due - timedelta(days=9))
        clock.advance(timedelta(days=1))  # 8 days before: nothing yet
        await quiet()
        assert len(smtp.mails) == 1
        clock.advance(timedelta(days=1))
        await eventually(lambda: len(smtp.mails) == 2)
        clock.advance(timedelta(hours=6))  # the check runs on: no second reminder
        await quiet()
        assert len(smtp.mails) == 2
        clock.set(due - timedelta(hours=2))
        await eventually(lambda: len(smtp.mails) == 3)
        await quiet()
    soon, today = smtp.mails[1], smtp.mails[2]
    assert soon.to == today.to == [address("mia")]
    assert "uiterlijk 2026-06-02" in soon.subject and "vandaag" not in soon.subject
    assert "vandaag uiterlijk 2026-06-02" in today.subject
    assert short_reference(melding_id) in today.subject
    assert len(smtp.mails) == 3
    assert_no_content(texts(smtp))


async def test_feedback_given_ends_the_reminders(settings: Settings, smtp: SmtpServer
                                                 ) -> None:
    acknowledged = datetime(2026, 3, 2, 10, tzinfo=UTC)
    clock = MovableClock(acknowledged)
    async with running("console", settings, clock) as console:
        add_staff(console.application)
        await Intake(settings).melding(at=acknowledged)
        await eventually(lambda: len(smtp.mails) == 1)
        clock.set(add_months(acknowledged, 3) - timedelta(days=10))
        notifier = console.app.state.parts.notifier
        [term_id] = notifier.board.open_terms()
        term = console.application.repository.get(term_id)
        term.end(at=clock.now())
        console.application.save(term)
        clock.advance(timedelta(days=5))
        await quiet()
    assert len(smtp.mails) == 1


@pytest.fixture
def any_store(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer,
              database_url: str | None) -> Settings:
    """The settings on SQLite, and on PostgreSQL."""
    return notify_settings(tmp_path, nats_server, smtp, database_url)


async def test_a_reopened_melding_is_reminded_of_its_new_term(
    any_store: Settings, smtp: SmtpServer,
) -> None:
    """Closed, the term ends; reopened, it runs anew from the reopening (as triage's),
    and its reminders come again, with the new last day, after a restart too."""
    settings = any_store
    acknowledged = datetime(2026, 3, 2, 10, tzinfo=UTC)
    reopened = datetime(2026, 4, 15, 10, tzinfo=UTC)
    clock = MovableClock(acknowledged)
    triage = Triage(settings)
    async with running("console", settings, clock) as console:
        add_staff(console.application)
        melding_id = await Intake(settings).melding(at=acknowledged)
        await eventually(lambda: len(smtp.mails) == 1)
        await triage.publish(MeldingClosed(melding_id=melding_id, reason="no_action",
                                           at=acknowledged + timedelta(days=14)))
        board = console.app.state.parts.notifier.board
        await eventually(lambda: board.open_terms() == {})
        clock.set(reopened)
        for _ in range(2):  # the second a copy of the first
            await triage.publish(MeldingReopened(melding_id=melding_id, at=reopened))
        await eventually(lambda: len(board.open_terms()) == 1)
    # A restart reads the restarted term back from the console's store.
    async with running("console", settings, clock):
        clock.set(add_months(acknowledged, 3) - timedelta(days=1))  # the old term: nothing
        await quiet()
        assert len(smtp.mails) == 1
        clock.set(add_months(reopened, 3) - timedelta(days=7))
        await eventually(lambda: len(smtp.mails) == 2)
        clock.set(add_months(reopened, 3) - timedelta(hours=2))
        await eventually(lambda: len(smtp.mails) == 3)
        await quiet()
    soon, today = smtp.mails[1], smtp.mails[2]
    assert "uiterlijk 2026-07-15" in soon.subject and "vandaag" not in soon.subject
    assert "vandaag uiterlijk 2026-07-15" in today.subject
    assert soon.to == today.to == [address("mia")]
    assert len(smtp.mails) == 3


async def test_old_news_is_not_mailed_but_its_term_is_reminded_of(
    settings: Settings, smtp: SmtpServer,
) -> None:
    """The console's first start after an upgrade reads the stream from its start: the
    meldingen of months ago are not mailed, their open feedback terms are."""
    acknowledged = datetime(2026, 3, 2, 10, tzinfo=UTC)
    clock = MovableClock(add_months(acknowledged, 3) - timedelta(days=7))
    async with running("console", settings, clock) as console:
        add_staff(console.application)
        await Intake(settings).melding(at=acknowledged)
        await eventually(lambda: len(smtp.mails) == 1)
        await quiet()
    [reminder] = smtp.mails
    assert "uiterlijk 2026-06-02" in reminder.subject


async def test_an_smtp_outage_delays_the_mails_which_then_arrive_in_order(
    settings: Settings, smtp: SmtpServer,
) -> None:
    intake = Intake(settings)
    async with running("console", settings) as console:
        add_staff(console.application)
        smtp.stop()
        ids = [await intake.melding() for _ in range(3)]
        board = console.app.state.parts.notifier.board
        await eventually(lambda: board.waiting() == 3)
        await asyncio.sleep(1.5)  # several failed tries
        assert (await console.client.get("/healthz")).status_code == 200
        smtp.start()
        await eventually(lambda: len(smtp.mails) == 3, timeout=15)
        await quiet()
    assert [m.subject.rsplit(" ", 1)[-1] for m in smtp.mails] == [
        short_reference(i) for i in ids]
    assert len(smtp.mails) == 3


async def test_digest_mode_sends_one_mail_a_day(settings: Settings, smtp: SmtpServer
                                                ) -> None:
    intake = Intake(settings)
    clock = MovableClock(datetime(2026, 5, 4, 7, tzinfo=LOCAL).astimezone(UTC))
    async with running("console", settings, clock) as console:
        add_staff(console.application)
        notifier = console.app.state.parts.notifier
        notifier.choose_delivery("mia", "digest")
        first = [await intake.melding(at=clock.now()) for _ in range(2)]
        await eventually(lambda: sum(len(v) for v in notifier.board.to_gather().values()) == 2)
        await quiet()
        assert smtp.mails == []  # before the digest hour
        clock.advance(timedelta(hours=1, minutes=30))
        await eventually(lambda: len(smtp.mails) == 1)
        later = await intake.melding(at=clock.now())
        await eventually(lambda: sum(len(v) for v in notifier.board.to_gather().values()) == 1)
        clock.advance(timedelta(hours=8))
        await quiet()
        assert len(smtp.mails) == 1  # the same day: no second digest
        clock.set(datetime(2026, 5, 5, 8, 5, tzinfo=LOCAL).astimezone(UTC))
        await eventually(lambda: len(smtp.mails) == 2)
        await quiet()
    one, two = smtp.mails
    assert one.to == two.to == [address("mia")]
    assert "2026-05-04" in one.subject and "2026-05-05" in two.subject
    assert all(short_reference(i) in one.body for i in first)
    assert short_reference(later) in two.body and short_reference(later) not in one.body
    assert len(smtp.mails) == 2
    assert_no_content(texts(smtp))


async def test_killed_between_deciding_and_sending_one_mail_after_the_restart(
    settings: Settings, smtp: SmtpServer,
) -> None:
    console = build_application(settings)
    add_staff(console)
    console.close()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    environment.update(MELDINGEN_VAR_DIR=str(settings.var_dir),
                       MELDINGEN_NATS_URL=settings.nats_servers[0],
                       MELDINGEN_CONSOLE_URL=ORIGIN, MELDINGEN_NOTIFY_CLAIM_SECONDS="1",
                       # Nobody answers there: the mail is decided, and never sent.
                       MELDINGEN_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "services.console.bootstrap:create_app",
         "--port", str(free_port())], env=environment, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        await Intake(settings).melding()
        await eventually(lambda: len(decided(settings)) == 1, timeout=30)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert smtp.mails == []
    async with running("console", settings):
        await eventually(lambda: len(smtp.mails) == 1)
        await quiet(1.0)
    assert [m.to for m in smtp.mails] == [[address("mia")]]
    assert len(decided(settings)) == 1



async def test_two_replicas_postmen_send_each_mail_once(settings: Settings, smtp: SmtpServer
                                                        ) -> None:
    """Two consoles started on one store (their inboxes aside: the stream has one
    consumer per service) both see the same waiting mails: each mail goes once, even
    from a server so slow that the other postman tries again meanwhile."""
    smtp.stop()
    smtp.collector.delay = 0.8  # the claim lasts 1 s; a second try comes after 0.5 s
    async with running("console", settings) as console:
        console.app.state.parts.postman.stop()
        add_staff(console.application, [(f"mp{i}", "meldpunt") for i in range(6)])
        await Intake(settings).melding()
        await eventually(lambda: len(decided(settings)) == 6)
    replicas = [build_parts(settings), build_parts(settings)]
    assert [r.notifier.board.waiting() for r in replicas] == [6, 6]
    runs = [asyncio.create_task(r.postman.run()) for r in replicas]
    try:
        smtp.start()
        await eventually(lambda: len(smtp.mails) >= 6, timeout=20)
        await quiet(2.0)
    finally:
        for replica in replicas:
            replica.postman.stop()
        await asyncio.gather(*runs)
        for replica in replicas:
            replica.application.close()
    assert sorted(m.to[0] for m in smtp.mails) == [address(f"mp{i}") for i in range(6)]
