"""The confidential adviser who registered a melding writes in that reporter's mailbox
and sees the replies; another adviser, or another role, does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, ok, running, token

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)
ANONYMOUS = {**MELDING, "anonymous": True, "identity": None}


async def test_the_registering_adviser_and_the_reporter_write_to_each_other(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    olga = token(settings, "confidential_adviser", "vpoo-olga")
    clock = MovableClock(NOW)
    async with running("intake", settings, clock) as intake:
        filed = await ok(intake.client.post("/api/meldingen", headers=olga, json={
            **ANONYMOUS, "channel": "confidential_adviser_conduct",
            "received_how": "in_person"}), 201)
        path = f"/api/meldingen/{filed['id']}/adviser-messages"
        await ok(intake.client.post(path, headers=olga,
                                    json={"body": "Zullen we volgende week verder praten?"}),
                 201)

        # The reporter reads it as the adviser's and answers.
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        reporter = {"Authorization": f"Bearer {login['token']}"}
        mailbox = await ok(intake.client.get("/api/mailbox", headers=reporter))
        assert [(m["from"], m["body"]) for m in mailbox["messages"][1:]] == [
            ("confidential_adviser", "Zullen we volgende week verder praten?")]
        await ok(intake.client.post("/api/mailbox/messages", headers=reporter,
                                    json={"body": "Ja, dinsdag."}), 201)

        # The reply is unread until Olga opens the conversation.
        mine = await ok(intake.client.get("/api/registrations", headers=olga))
        assert mine["unread"] == 1 and mine["items"][0]["reply_unread"] is True

        # Olga sees her message and the reply, not the meldpunt's acknowledgement.
        seen = await ok(intake.client.get(path, headers=olga))
        mine = await ok(intake.client.get("/api/registrations", headers=olga))
        assert mine["unread"] == 0 and mine["items"][0]["reply_unread"] is False
        assert [(m["from"], m["body"]) for m in seen["messages"]] == [
            ("confidential_adviser", "Zullen we volgende week verder praten?"),
            ("reporter", "Ja, dinsdag.")]

        # Opening it again writes nothing; only a new reply makes the next opening an
        # event (the page is opened far more often than the reporter writes).
        report_id = UUID(filed["id"])
        read = intake.application.get_report(report_id).version
        await ok(intake.client.get(path, headers=olga))
        assert intake.application.get_report(report_id).version == read
        clock.advance(timedelta(minutes=5))
        await ok(intake.client.post("/api/mailbox/messages", headers=reporter,
                                    json={"body": "Of woensdag."}), 201)
        replied = intake.application.get_report(report_id).version
        await ok(intake.client.get(path, headers=olga))
        await ok(intake.client.get(path, headers=olga))
        assert intake.application.get_report(report_id).version == replied + 1

        # Another adviser finds no such melding; a manager may not ask at all.
        karin = token(settings, "confidential_adviser", "vpi-karin")
        for method in ("GET", "POST"):
            other = await intake.client.request(method, path, headers=karin,
                                                json={"body": "Hallo"})
            assert other.status_code == 404, other.text
            manager = await intake.client.request(method, path,
                                                  headers=token(settings, "manager"),
                                                  json={"body": "Hallo"})
            assert manager.status_code == 403, manager.text

        # A melding the adviser did not register (a web one) is not theirs to write in.
        web = await ok(intake.client.post("/api/meldingen", json=ANONYMOUS), 201)
        answer = await intake.client.post(f"/api/meldingen/{web['id']}/adviser-messages",
                                          headers=olga, json={"body": "Hallo"})
        assert answer.status_code == 404
