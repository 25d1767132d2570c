"""The mailbox speaks the reporter's language only: the acknowledgement is written in
the language the melding was filed in, never both in one string."""

from __future__ import annotations

import pytest

from shared.config import Settings
from tests.support import MELDING, ok, running


@pytest.mark.parametrize(("language", "said", "not_said"), [
    ("nl", "Wij hebben uw melding ontvangen", "We have received"),
    ("en", "We have received your report", "ontvangen"),
])
async def test_the_acknowledgement_is_in_the_reporters_language_only(
    sqlite_settings: Settings, language: str, said: str, not_said: str
) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = await ok(intake.client.post("/api/meldingen",
                                            json={**MELDING, "language": language}), 201)
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        mailbox = await ok(intake.client.get(
            "/api/mailbox", headers={"Authorization": f"Bearer {login['token']}"}))
        [acknowledgement] = mailbox["messages"]
        assert said in acknowledgement["body"]
        assert not_said not in acknowledgement["body"]


async def test_an_unknown_language_is_refused(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        answer = await intake.client.post("/api/meldingen", json={**MELDING, "language": "de"})
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "language"
        assert intake.application.recorder.max_notification_id() is None
