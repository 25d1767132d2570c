"""The console's notice board after a restart: its tables and the events after the
stored views' position, none before it (issue 23)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.console.notifications.views import mails, terms
from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import add_months
from tests.mailserver import SmtpServer
from tests.notifyflows import Intake, add_staff, address, notify_settings, quiet
from tests.support import NatsServer, eventually, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer) -> Settings:
    return notify_settings(tmp_path, nats_server, smtp)


async def test_a_restart_reads_no_event_before_the_position_and_reminds_right(
        settings: Settings, smtp: SmtpServer) -> None:
    acknowledged = datetime(2026, 3, 2, 10, tzinfo=UTC)
    clock = MovableClock(acknowledged)
    async with running("console", settings, clock) as console:
        add_staff(console.application)
        await Intake(settings).melding(at=acknowledged)
        await eventually(lambda: len(smtp.mails) == 1)  # the new melding's
        await quiet()
        recorder = console.application.recorder
        opened = [n.id for n in recorder.select_notifications(None, 10**6)
                  if n.topic.endswith("FeedbackTerm.Opened")]

    # A clean stop stored the position of every event: a start reads none of them and
    # answers from the tables.
    async with running("console", settings, clock) as console:
        views = console.app.state.parts.flusher.views
        board = console.app.state.parts.notifier.board
        assert views.read_at_start == 0
        assert len(board.open_terms()) == 1 and board.waiting() == 0
        engine = views.store.engine

    # As if it had crashed after the term's commit, before its rows and the position
    # were written: the start applies the events after the position.
    with engine.begin() as connection:
        connection.execute(views.store.positions.update().values(position=opened[0] - 1))
        connection.execute(terms.delete())
        connection.execute(mails.delete())
    async with running("console", settings, clock) as console:
        views = console.app.state.parts.flusher.views
        board = console.app.state.parts.notifier.board
        assert 0 < views.read_at_start < len(views._stored_ids(0, 10**9))
        assert len(board.open_terms()) == 1
        assert board.waiting() == 0  # the mail once sent is not sent again
        await quiet()
        assert len(smtp.mails) == 1
        # The check finds the term by its day: a week before it ends, one reminder.
        clock.set(add_months(acknowledged, 3) - timedelta(days=6))
        await eventually(lambda: len(smtp.mails) == 2)
        await quiet()
    assert len(smtp.mails) == 2 and smtp.mails[1].to == [address("mia")]
    assert "uiterlijk 2026-06-02" in smtp.mails[1].subject
