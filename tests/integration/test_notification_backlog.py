"""The clock check meeting a backlog: a console that first starts beside a year of
meldingen, every one past its feedback term, decides their reminders a batch per
transaction (one commit each kept its pages waiting), still once each; the postman
sends that backlog in order, and after a crash sends again only the mail in flight."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.console.bootstrap import build_parts
from services.console.notifications.application import REMIND_BATCH
from services.console.notifications.domain.notices import FeedbackTerm
from services.console.notifications.postman import BATCH
from shared.clock import MovableClock
from shared.config import Settings
from tests.mailserver import SmtpServer
from tests.notifyflows import add_staff, decided, notify_settings
from tests.support import NatsServer, eventually


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer) -> Settings:
    return notify_settings(tmp_path, nats_server, smtp)


def test_a_backlog_of_reminders_is_decided_once_each_in_batches(
    settings: Settings,
) -> None:
    """More open terms past their last day than one transaction takes: each is reminded
    of once, one notice each; the one another replica reminded of at the same time
    costs the rest of its batch nothing."""
    now = datetime(2026, 9, 1, 10, tzinfo=UTC)
    parts = build_parts(settings, MovableClock(now))
    replica = build_parts(settings, MovableClock(now))
    try:
        add_staff(parts.application, [("mia", "meldpunt")])
        count = REMIND_BATCH + 5
        terms = [FeedbackTerm(melding_id=str(uuid4()), feedback_by=now - timedelta(days=30))
                 for _ in range(count)]
        parts.application.save(*terms)
        # The replica decides the second term's reminder right after this console
        # read that term, before its batch is saved: the race a second replica runs.
        decide = parts.notifier._reminders

        def raced(term_id: UUID, *args: Any) -> list[Any]:
            mine = decide(term_id, *args)
            if term_id == terms[1].id:
                theirs = replica.application.repository.get(term_id)
                theirs.remind("feedback_due_today")
                replica.application.save(theirs)
            return mine

        parts.notifier._reminders = raced  # type: ignore[method-assign]
        parts.notifier.check()
        assert len(decided(settings)) == count - 1
        parts.notifier.check()  # a second check decides nothing more
    finally:
        replica.application.close()
        parts.application.close()
    notices = decided(settings)
    assert len(notices) == count - 1 == len(set(notices))


async def test_a_backlog_of_mails_goes_in_order_a_claim_a_batch(
    settings: Settings, smtp: SmtpServer,
) -> None:
    """The postman meeting that backlog: every mail once, in the order decided, each
    batch claimed in one commit (two commits a mail made the storm's cost) and each
    mail recorded as sent in one of its own as it went."""
    now = datetime.now(UTC)
    # A claim as long as production's: no batch outlasts half of it here.
    settings = settings.model_copy(update={"notify_claim_seconds": 120.0})
    parts = build_parts(settings, MovableClock(now))
    try:
        add_staff(parts.application, [("mia", "meldpunt")])
        count = 2 * BATCH + 5
        parts.application.save(*[
            FeedbackTerm(melding_id=str(uuid4()), feedback_by=now - timedelta(days=30))
            for _ in range(count)])
        parts.notifier.check()
        order = parts.notifier.board.next_mails(count + 1)
        assert len(order) == count
        ids = {m: parts.notifier.mail(m).message_id for m in order}
        commits = []
        save = parts.application.save

        def counted(*aggregates: Any, **kwargs: Any) -> Any:
            commits.append(len(aggregates))
            return save(*aggregates, **kwargs)

        parts.application.save = counted  # type: ignore[method-assign]
        run = asyncio.create_task(parts.postman.run())
        try:
            await eventually(lambda: len(smtp.mails) >= count, timeout=60)
            await eventually(lambda: parts.notifier.board.waiting() == 0)
        finally:
            parts.postman.stop()
            await run
    finally:
        parts.application.close()
    assert [m.message["Message-ID"] for m in smtp.mails] == [ids[m] for m in order]
    # Three batches: a claim each, and a record of each mail as it went.
    assert commits == [BATCH, *[1] * BATCH, BATCH, *[1] * BATCH, 5, *[1] * 5], commits


async def test_a_crash_mid_batch_sends_only_the_mail_in_flight_again(
    settings: Settings, smtp: SmtpServer,
) -> None:
    """The postman dies while the server takes a batch's eleventh mail (it never
    answers): the ten before it were recorded as sent, each as it went, so the console
    started again sends the rest of the backlog and only that eleventh once more."""
    now = datetime.now(UTC)
    clock = MovableClock(now)
    settings = settings.model_copy(update={"notify_claim_seconds": 120.0})
    first = build_parts(settings, clock)
    add_staff(first.application, [("mia", "meldpunt")])
    count, answered = BATCH + 5, 10
    first.application.save(*[
        FeedbackTerm(melding_id=str(uuid4()), feedback_by=now - timedelta(days=30))
        for _ in range(count)])
    first.notifier.check()
    order = first.notifier.board.next_mails(count + 1)
    ids = [first.notifier.mail(m).message_id for m in order]
    smtp.collector.stall_after = answered
    run = asyncio.create_task(first.postman.run())
    await eventually(smtp.collector.stalled.is_set, timeout=30)
    run.cancel()  # the crash: nothing after this line of the postman runs
    with contextlib.suppress(asyncio.CancelledError):
        await run

    # Started again once the dead postman's claims lapsed.
    clock.advance(timedelta(seconds=121))
    again = build_parts(settings, clock)
    run = asyncio.create_task(again.postman.run())
    try:
        await eventually(lambda: again.notifier.board.waiting() == 0, timeout=60)
    finally:
        again.postman.stop()
        await run
        again.application.close()
        first.application.close()
    sent = Counter(m.message["Message-ID"] for m in smtp.mails)
    assert set(sent) == set(ids)
    assert [i for i, times in sent.items() if times > 1] == [ids[answered]]
