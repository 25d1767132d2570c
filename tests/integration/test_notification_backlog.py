"""The clock check meeting a backlog: a console that first starts beside a year of
meldingen, every one past its feedback term, decides their reminders a batch per
transaction (one commit each kept its pages waiting), still once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.console.bootstrap import build_parts
from services.console.notifications.application import REMIND_BATCH
from services.console.notifications.domain.notices import FeedbackTerm
from shared.clock import MovableClock
from shared.config import Settings
from tests.mailserver import SmtpServer
from tests.notifyflows import add_staff, decided, notify_settings
from tests.support import NatsServer


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
