"""An oral melding's record (verslag): the manager who took the call writes it, the
reporter approves it or sends corrections through the mailbox, every version is kept
and the melding shows whether the record is approved. A reporter's request to meet
waits, with its own term, in the meldpunt's list until a meeting is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, RunningService, ok, running, token

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


async def mailbox_token(intake: RunningService, receipt: str) -> dict[str, str]:
    login = await ok(intake.client.post("/api/mailbox/login", json={"receipt": receipt}))
    return {"Authorization": f"Bearer {login['token']}"}


async def test_the_reporter_corrects_then_approves_the_record_of_a_call(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    manager = token(settings, "manager", "mark")
    async with running("intake", settings, MovableClock(NOW)) as intake:
        filed = await ok(intake.client.post("/api/meldingen", headers=manager, json={
            **MELDING, "received_at": (NOW - timedelta(days=3)).isoformat(),
            "received_how": "oral"}), 201)
        record = f"/api/meldingen/{filed['id']}/record"
        reporter = await mailbox_token(intake, filed["receipt"])

        # Mark writes the record; the reporter finds it in the mailbox.
        assert await ok(intake.client.post(record, headers=manager, json={
            "text": "Jan belde over een fiets van een leverancier."}), 201) == {"version": 1}
        mailbox = await ok(intake.client.get("/api/mailbox", headers=reporter))
        assert mailbox["record"]["version"] == 1
        assert mailbox["record"]["status"] == "awaiting_reporter"

        # The reporter sends a correction; Mark works it into version 2.
        await ok(intake.client.post("/api/mailbox/record", headers=reporter, json={
            "version": 1, "approved": False, "corrections": "Het was een e-bike."}), 201)
        # A version already answered, or one that is not the latest, is not answered again.
        again = await intake.client.post("/api/mailbox/record", headers=reporter,
                                         json={"version": 1, "approved": True})
        assert again.status_code == 409, again.text
        seen = await ok(intake.client.get(record, headers=manager))
        assert seen["status"] == "corrections_sent"
        assert seen["responses"][0]["corrections"] == "Het was een e-bike."
        assert await ok(intake.client.post(record, headers=manager, json={
            "text": "Jan belde over een e-bike van een leverancier."}), 201) == {"version": 2}

        # Approving without saying which, or refusing without saying what, is refused.
        for bad, field in (({"approved": True, "corrections": "x"}, "corrections"),
                           ({"approved": False}, "corrections")):
            answer = await intake.client.post("/api/mailbox/record", headers=reporter,
                                              json={"version": 2, **bad})
            assert answer.status_code == 422, answer.text
            assert answer.json()["errors"][0]["field"] == field
        await ok(intake.client.post("/api/mailbox/record", headers=reporter,
                                    json={"version": 2, "approved": True}), 201)

        # Both versions are kept; the melding shows the record approved.
        seen = await ok(intake.client.get(record, headers=manager))
        assert seen["status"] == "approved"
        assert [v["text"] for v in seen["versions"]] == [
            "Jan belde over een fiets van een leverancier.",
            "Jan belde over een e-bike van een leverancier."]
        assert [(r["version"], r["approved"]) for r in seen["responses"]] == [
            (1, False), (2, True)]
        mailbox = await ok(intake.client.get("/api/mailbox", headers=reporter))
        assert mailbox["record"]["status"] == "approved"

        # The meldpunt reads it too; another manager does not, nor does any other role.
        assert (await ok(intake.client.get(record, headers=token(settings, "meldpunt"))))[
            "status"] == "approved"
        other = await intake.client.get(record, headers=token(settings, "manager", "mo"))
        assert other.status_code == 404
        auditor = await intake.client.get(record, headers=token(settings, "auditor"))
        assert auditor.status_code == 403


async def test_a_written_melding_has_no_record(sqlite_settings: Settings) -> None:
    manager = token(sqlite_settings, "manager", "mark")
    async with running("intake", sqlite_settings, MovableClock(NOW)) as intake:
        filed = await ok(intake.client.post("/api/meldingen", headers=manager, json=MELDING))
        answer = await intake.client.post(f"/api/meldingen/{filed['id']}/record",
                                          headers=manager, json={"text": "Verslag."})
        assert answer.status_code == 409, answer.text


async def waiting(intake: RunningService, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = await ok(intake.client.get("/api/meeting-requests", headers=headers))
    items: list[dict[str, Any]] = answer["items"]
    return items


async def test_a_meeting_request_waits_its_term_and_clears_with_the_meeting(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings.model_copy(update={"meeting_request_term_days": 5})
    clock = MovableClock(NOW)
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings, clock) as intake:
        # One reporter asks on the form, another later in the mailbox.
        by_form = await ok(intake.client.post("/api/meldingen", json={
            **MELDING, "meeting_requested": True}), 201)
        later = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        clock.advance(timedelta(days=1))
        reporter = await mailbox_token(intake, later["receipt"])
        asked = await ok(intake.client.post("/api/mailbox/meeting-request", headers=reporter))
        assert asked["due_by"] == "2026-03-16T09:00:00Z"
        again = await intake.client.post("/api/mailbox/meeting-request", headers=reporter)
        assert again.status_code == 409
        assert (await ok(intake.client.get("/api/mailbox", headers=reporter)))[
            "meeting_requested"]

        items = await waiting(intake, meldpunt)
        assert [(i["melding_id"], i["via"], i["overdue"]) for i in items] == [
            (by_form["id"], "form", False), (later["id"], "mailbox", False)]
        assert items[0]["due_by"] == "2026-03-15T09:00:00Z"

        # After its term the first is overdue; a meeting clears it.
        clock.set(datetime(2026, 3, 15, 9, 1, tzinfo=UTC))
        assert [i["overdue"] for i in await waiting(intake, meldpunt)] == [True, False]
        future = await intake.client.post(f"/api/meldingen/{by_form['id']}/meetings",
                                          headers=meldpunt,
                                          json={"held_at": "2026-03-16T10:00:00Z"})
        assert future.status_code == 422, future.text
        met = await intake.client.post(f"/api/meldingen/{by_form['id']}/meetings",
                                       headers=meldpunt, json={"held_at": "2026-03-15T08:00:00Z"})
        assert met.status_code == 204, met.text
        assert [i["melding_id"] for i in await waiting(intake, meldpunt)] == [later["id"]]
        # Only the meldpunt keeps the list.
        denied = await intake.client.get("/api/meeting-requests",
                                         headers=token(settings, "manager"))
        assert denied.status_code == 403

    # The list is rebuilt from the store at start.
    async with running("intake", settings, clock) as intake:
        assert [i["melding_id"] for i in await waiting(intake, meldpunt)] == [later["id"]]
