"""The reporter's answers to the record of an oral report, told to the meldpunt by
mail through a real SMTP server (aiosmtpd), never with the record's content."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.config import Settings
from shared.contracts import RecordStatusChanged
from tests.mailserver import SmtpServer
from tests.notifyflows import (
    Intake,
    add_staff,
    address,
    assert_no_content,
    notify_settings,
    quiet,
    texts,
)
from tests.support import NatsServer, eventually, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer) -> Settings:
    return notify_settings(tmp_path, nats_server, smtp)


async def test_the_reporters_answer_to_a_record_mails_the_meldpunt(
        settings: Settings, smtp: SmtpServer) -> None:
    """Approval and corrections are told; a new version for the reporter is not."""
    intake = Intake(settings)
    async with running("console", settings) as console:
        add_staff(console.application)
        melding_id = await intake.melding()
        for status in ("awaiting_reporter", "corrections_sent", "approved"):
            await intake.publish(RecordStatusChanged(
                melding_id=melding_id, status=status,  # type: ignore[arg-type]
                at=datetime.now(UTC)))
        await eventually(lambda: len(smtp.mails) >= 3)
        await quiet()
    subjects = [m.subject for m in smtp.mails if "verslag" in m.subject]
    assert [m.to for m in smtp.mails if "verslag" in m.subject] == [[address("mia")]] * 2
    assert "correcties" in subjects[0] and "goed" in subjects[1]
    assert len(smtp.mails) == 3
    assert_no_content(texts(smtp))
