"""Triage's queue shows where an oral melding's record stands with the reporter and
a reporter's open request to meet, with its term, until a meeting is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, RunningService, eventually, ok, running, token

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


async def item(triage: RunningService, melding_id: str, headers: dict[str, str]
               ) -> dict[str, Any]:
    page = await ok(triage.client.get("/api/meldingen", headers=headers))
    found: dict[str, Any] = next(i for i in page["items"] if i["id"] == melding_id)
    return found


async def test_record_status_and_meeting_requests_show_in_the_queue(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings.model_copy(update={"meeting_request_term_days": 5})
    clock = MovableClock(NOW)
    manager, meldpunt = token(settings, "manager", "mark"), token(settings, "meldpunt", "mia")
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        filed = await ok(intake.client.post("/api/meldingen", headers=manager, json={
            **MELDING, "received_at": (NOW - timedelta(days=3)).isoformat(),
            "received_how": "oral"}), 201)
        melding_id = filed["id"]
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        reporter = {"Authorization": f"Bearer {login['token']}"}

        async def shows(**expected: Any) -> bool:
            page = await ok(triage.client.get("/api/meldingen", headers=meldpunt))
            found = [i for i in page["items"] if i["id"] == melding_id]
            return bool(found) and all(found[0][k] == v for k, v in expected.items())

        await eventually(lambda: shows(record_status=None, meeting_due_by=None))

        await ok(intake.client.post(f"/api/meldingen/{melding_id}/record", headers=manager,
                                    json={"text": "Jan belde over een fiets."}), 201)
        await eventually(lambda: shows(record_status="awaiting_reporter"))
        await ok(intake.client.post("/api/mailbox/record", headers=reporter, json={
            "version": 1, "approved": False, "corrections": "Een e-bike."}), 201)
        await eventually(lambda: shows(record_status="corrections_sent"))
        await ok(intake.client.post(f"/api/meldingen/{melding_id}/record", headers=manager,
                                    json={"text": "Jan belde over een e-bike."}), 201)
        await ok(intake.client.post("/api/mailbox/record", headers=reporter,
                                    json={"version": 2, "approved": True}), 201)
        await eventually(lambda: shows(record_status="approved"))
        melding = await ok(triage.client.get(f"/api/meldingen/{melding_id}",
                                             headers=meldpunt))
        assert melding["record_status"] == "approved"
        assert "e-bike" not in str(melding)  # the record's text stays in intake

        # A request to meet shows with its term, is overdue after it, and clears.
        await ok(intake.client.post("/api/mailbox/meeting-request", headers=reporter))
        await eventually(lambda: shows(meeting_due_by="2026-03-15T09:00:00Z",
                                       meeting_overdue=False))
        clock.set(datetime(2026, 3, 15, 9, 1, tzinfo=UTC))
        assert (await item(triage, melding_id, meldpunt))["meeting_overdue"] is True
        met = await intake.client.post(f"/api/meldingen/{melding_id}/meetings",
                                       headers=meldpunt, json={"held_at": "2026-03-15T08:00:00Z"})
        assert met.status_code == 204, met.text
        await eventually(lambda: shows(meeting_due_by=None, meeting_overdue=False))
