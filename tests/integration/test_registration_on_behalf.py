"""A melding registered on a reporter's behalf: the staff member says when and how they
received it, the terms run from that moment (in triage's queue and in reporting's
figures alike), and a registration long after it needs a reason. Its channel is who
registered it: no role claims another's. Refused registrations store nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from services.reporting.domain.figures import AnnualFigures
from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, RunningService, eventually, ok, running, token

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)
THREE_DAYS_AGO = NOW - timedelta(days=3)


async def triage_sees(triage: RunningService, melding_id: str, headers: dict[str, str]) -> Any:
    async def arrived() -> bool:
        answer = await triage.client.get(f"/api/meldingen/{melding_id}", headers=headers)
        return answer.status_code == 200

    await eventually(arrived)
    return await ok(triage.client.get(f"/api/meldingen/{melding_id}", headers=headers))


async def test_an_oral_melding_received_three_days_ago_has_its_terms_from_then(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    clock = MovableClock(NOW)
    manager = token(settings, "manager", "mark")
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        # Mark took a phone call three days ago and registers it now.
        filed = await ok(intake.client.post("/api/meldingen", headers=manager, json={
            **MELDING, "channel": "manager", "received_at": THREE_DAYS_AGO.isoformat(),
            "received_how": "oral"}), 201)

        # Intake keeps who received it, when and how, and when it was registered.
        report = intake.application.get_report(UUID(filed["id"]))
        assert (report.received_by, report.received_how) == ("mark", "oral")
        assert (report.received_at, report.registered_at) == (THREE_DAYS_AGO, NOW)

        # The 7-day term runs from the call, not from the registration.
        melding = await triage_sees(triage, filed["id"], meldpunt)
        assert melding["received_at"] == "2026-03-07T09:00:00Z"
        assert melding["deadlines"]["acknowledge_by"] == "2026-03-14T09:00:00Z"

        # One received ten days ago and registered now was acknowledged late: the
        # overdue filter reads its receipt, not its registration.
        late = await ok(intake.client.post("/api/meldingen", headers=manager, json={
            **MELDING, "channel": "manager", "received_how": "in_person",
            "received_at": (NOW - timedelta(days=10)).isoformat(),
            "received_reason": "De melder kwam langs toen ik ziek thuis was."}), 201)
        assert (await triage_sees(triage, late["id"], meldpunt))["overdue"] is True

        # Eight days after the call, a melding not acknowledged in time would be
        # overdue; the call was acknowledged when registered, within its term.
        clock.set(THREE_DAYS_AGO + timedelta(days=8))
        overdue = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                             params={"overdue": "true"}))
        assert [item["id"] for item in overdue["items"]] == [late["id"]]


async def test_a_late_registration_needs_its_reason_and_the_future_is_refused(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    manager = token(settings, "manager", "mark")
    late = (NOW - timedelta(days=3, minutes=1)).isoformat()
    refused: dict[str, tuple[dict[str, Any], str]] = {
        "late without a reason": ({"received_at": late}, "received_reason"),
        "in the future": ({"received_at": (NOW + timedelta(hours=1)).isoformat()},
                          "received_at"),
        "happened after it was received": (
            {"received_at": late, "received_reason": "Op vakantie.",
             "occurred": "2026-03-09"}, "occurred"),
        "without a time zone": ({"received_at": "2026-03-09T09:00:00"}, "received_at"),
        "an unknown way": ({"received_how": "pigeon"}, "received_how"),
    }
    async with running("intake", settings, MovableClock(NOW)) as intake:
        for case, (changes, field) in refused.items():
            answer = await intake.client.post("/api/meldingen", headers=manager, json={
                **MELDING, "channel": "manager", **changes})
            assert answer.status_code == 422, (case, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert field in {error["field"] for error in answer.json()["errors"]}, case
        assert intake.application.recorder.max_notification_id() in (None, 0)

        # With its reason, the late registration is taken.
        await ok(intake.client.post("/api/meldingen", headers=manager, json={
            **MELDING, "channel": "manager", "received_at": late,
            "received_reason": "De melder belde tijdens mijn vakantie."}), 201)


async def test_only_staff_say_when_a_melding_was_received(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings, MovableClock(NOW)) as intake:
        answer = await intake.client.post("/api/meldingen", json={
            **MELDING, "received_at": THREE_DAYS_AGO.isoformat()})
        assert answer.status_code == 401, answer.text
        assert intake.application.recorder.max_notification_id() in (None, 0)


async def test_the_channel_is_the_registering_role_and_no_other(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    manager = token(settings, "manager", "mark")
    meldpunt = token(settings, "meldpunt", "mia")
    adviser = token(settings, "confidential_adviser", "vpoo-olga")
    async with running("intake", settings, MovableClock(NOW)) as intake:
        # A manager's token cannot file as an adviser, nor as the reporter's own form.
        for claimed in ("confidential_adviser_conduct", "meldpunt", "web"):
            answer = await intake.client.post("/api/meldingen", headers=manager,
                                              json={**MELDING, "channel": claimed})
            assert answer.status_code == 403, (claimed, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
        # An adviser says which adviser they are; without that, nothing is filed.
        answer = await intake.client.post("/api/meldingen", headers=adviser, json=MELDING)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "channel"
        assert intake.application.recorder.max_notification_id() in (None, 0)

        async def channel_of(headers: dict[str, str], **changes: Any) -> str:
            filed = await ok(intake.client.post("/api/meldingen", headers=headers,
                                                json={**MELDING, **changes}), 201)
            return str(intake.application.get_report(UUID(filed["id"])).channel)

        assert await channel_of(manager) == "manager"
        assert await channel_of(manager, channel="manager") == "manager"
        assert await channel_of(meldpunt) == "meldpunt"
        assert await channel_of(adviser, channel="confidential_adviser_conduct") == (
            "confidential_adviser_conduct")
        assert await channel_of({}) == "web"


async def test_the_annual_figures_count_a_late_registration_by_its_receipt(
    sqlite_settings: Settings,
) -> None:
    """Received by phone on 31 December, registered on 2 January: the melding is one of
    the year it came in, acknowledged in time; one received ten days before it was
    registered was acknowledged late. Intake's events, as reporting reads them."""
    registered = datetime(2026, 1, 2, 9, tzinfo=UTC)
    clock = MovableClock(registered)
    manager = token(sqlite_settings, "manager", "mark")
    async with running("intake", sqlite_settings, clock) as intake:
        for received in (datetime(2025, 12, 31, 16, tzinfo=UTC),
                         datetime(2025, 12, 23, 9, tzinfo=UTC)):
            await ok(intake.client.post("/api/meldingen", headers=manager, json={
                **MELDING, "received_at": received.isoformat(), "received_how": "oral",
                "received_reason": "Gebeld tussen de feestdagen."}), 201)
        figures = AnnualFigures()

        def publish(domain_event: Any) -> None:
            event = intake.application.integration_event(domain_event)
            if event is not None:
                figures.apply(event.type, event.model_dump(mode="json"))

        intake.application.sweep(publish)

    assert figures.years() == [2025]
    year = figures.figures(2025)
    assert year["meldingen"]["by_channel"]["manager"] == 2
    acknowledged = year["terms"]["acknowledgement"]
    assert (acknowledged["within"], acknowledged["late"]) == (1, 1)
