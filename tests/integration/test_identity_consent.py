"""A named reporter is asked in the mailbox whether their identity may be passed on
beyond the meldpunt; each answer is recorded and reaches triage as an event. An
anonymous reporter has nothing to pass on."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from shared.messaging.envelope import Envelope
from tests.support import MELDING, RunningService, eventually, jetstream, ok, running


async def mailbox(intake: RunningService, body: dict[str, Any]) -> dict[str, str]:
    filed = await ok(intake.client.post("/api/meldingen", json=body), 201)
    login = await ok(intake.client.post("/api/mailbox/login", json={"receipt": filed["receipt"]}))
    return {"Authorization": f"Bearer {login['token']}"}


async def test_a_named_reporters_consent_is_asked_and_recorded(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    async with running("intake", settings) as intake:
        reporter = await mailbox(intake, MELDING)
        # Not answered yet: that counts as no.
        assert (await ok(intake.client.get("/api/mailbox", headers=reporter)))[
            "identity_consent"] is None
        for given in (True, False):
            await ok(intake.client.post("/api/mailbox/identity-consent", headers=reporter,
                                        json={"given": given}), 201)
            assert (await ok(intake.client.get("/api/mailbox", headers=reporter)))[
                "identity_consent"] is given
        bad = await intake.client.post("/api/mailbox/identity-consent", headers=reporter,
                                       json={"given": "yes"})
        assert bad.status_code == 422

        # Triage is told: the last answer is the one that stands.
        async def answers() -> list[bool]:
            async with jetstream(settings) as js:
                try:
                    last = await js.get_last_msg(
                        settings.stream, "meldingen.intake.identity_consent_recorded")
                except Exception:  # noqa: BLE001 - not published yet
                    return []
            return [Envelope.decode(last.data).data["given"]]

        # The relay publishes in order, so the last answer arrives last.
        async def last_is_no() -> bool:
            return await answers() == [False]

        await eventually(last_is_no)

        anonymous = await mailbox(intake, {**MELDING, "anonymous": True, "identity": None})
        refused = await intake.client.post("/api/mailbox/identity-consent", headers=anonymous,
                                           json={"given": True})
        assert refused.status_code == 409, refused.text
