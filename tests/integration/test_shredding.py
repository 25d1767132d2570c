"""Shredding across the real services (docs/privacy.md, "Retention and crypto-shredding"):
a melding walked to its closing, with a 0-day term, is shredded by `POST
/api/retention/run` (what `meldingen retention run` asks): every staff view answers 410
with the day, the lists mark it, its receipt answers as a wrong code, the figures, the
replay and the hash chains stay as they were; a melding under a legal hold is kept
until the hold is lifted. The hourly check does the same on the injected clock."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from services.intake.domain.report import Receipt
from shared.clock import MovableClock
from shared.config import Settings
from shared.keystore import KeyStore
from shared.terms import LOCAL, local_date
from tests.support import (
    MELDING,
    RunningService,
    assessment,
    eventually,
    ok,
    running,
    token,
)

WRONG = "0000 0000 0000 0000"
HOLD = {"motivation": "Rechtszaak C/09/123456 loopt bij de rechtbank"}
#: The meldpunt officer's token, of the test's settings (set by each test).
MELDPUNT: list[dict[str, str]] = []


async def file(s: dict[str, RunningService], description: str) -> tuple[str, str]:
    filed = await ok(s["intake"].client.post(
        "/api/meldingen", json={**MELDING, "description": description}), 201)
    melding_id = filed["id"]

    async def arrived() -> bool:
        return (await s["triage"].client.get(
            f"/api/meldingen/{melding_id}", headers=MELDPUNT[0])).is_success

    await eventually(arrived)
    return melding_id, filed["receipt"]


async def closed_without_case(s: dict[str, RunningService], settings: Settings,
                              melding_id: str) -> None:
    triage = s["triage"].client
    await ok(triage.post(f"/api/meldingen/{melding_id}/assessment", headers=MELDPUNT[0],
                         json=assessment(advice="no_action")))
    closed = await ok(triage.post(
        f"/api/meldingen/{melding_id}/decision", headers=token(settings,
                                                               "competent_authority"),
        json={"outcome": ["no_action"], "motivation": "Geen aanwijzingen gevonden."}))
    assert closed["status"] == "closed"
    assert closed["closing"]["outcome"] == "no_follow_up"


async def closed_after_conversation(s: dict[str, RunningService], settings: Settings,
                                    melding_id: str) -> None:
    triage, cases = s["triage"].client, s["investigation"].client
    authority = token(settings, "competent_authority")
    await ok(triage.post(f"/api/meldingen/{melding_id}/assessment", headers=MELDPUNT[0],
                         json=assessment(advice="conversation")))
    await ok(triage.post(f"/api/meldingen/{melding_id}/decision", headers=authority,
                         json={"outcome": ["conversation"],
                               "motivation": "Een gesprek volstaat hier."}))

    async def case_opened() -> bool:
        return (await cases.get(f"/api/cases/{melding_id}", headers=authority)).is_success

    await eventually(case_opened)
    await ok(cases.post(f"/api/cases/{melding_id}/conversation", headers=authority,
                        json={"minutes": "Gesprek gevoerd over de blauwe bakfiets."}))
    await ok(cases.post(f"/api/cases/{melding_id}/measures", headers=authority,
                        json={"measures": [{"target": "process", "kind": "training",
                                            "description": "Training over geschenken."}]}))

    async def closed() -> bool:
        melding = (await triage.get(f"/api/meldingen/{melding_id}",
                                    headers=MELDPUNT[0])).json()
        return bool(melding["status"] == "closed")

    await eventually(closed)


def gone(response: Any, day: str) -> None:
    assert response.status_code == 410, response.text
    problem = response.json()
    assert problem["type"] == "urn:meldingen:problem:shredded"
    assert problem["shredded_on"] == day
    for distinctive in ("bakfiets", "Jan Jansen", "Gesprek gevoerd"):
        assert distinctive not in response.text


async def login(intake: RunningService, receipt: str) -> Any:
    return await intake.client.post("/api/mailbox/login", json={"receipt": receipt})


def receipt_rows(settings: Settings) -> set[str]:
    """The meldingen intake's receipt book names (read as an outsider would)."""
    keys = KeyStore.for_service(settings, "intake")
    try:
        with keys.engine.connect() as connection:
            return {row[0] for row in connection.exec_driver_sql(
                "SELECT melding_id FROM intake_receipts")}
    finally:
        keys.dispose()


def intake_holds_receipt(intake: RunningService, receipt: str) -> bool:
    """Whether intake's event store has an aggregate under the receipt's hash."""
    application = intake.application
    digest = application.receipts.digest(receipt)
    return bool(application.recorder.select_events(Receipt.create_id(digest)))


async def test_a_closed_melding_is_shredded_everywhere_and_a_held_one_kept(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"retention_days": 0, "report_threshold": 1})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt, auditor = MELDPUNT[0], token(settings, "auditor")
    authority = token(settings, "competent_authority")
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage", "investigation", "reporting")}
        triage, cases, reporting = (s["triage"].client, s["investigation"].client,
                                    s["reporting"].client)
        shred_id, receipt = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        held_id, held_receipt = await file(s, "Een tweede melding over een cadeaubon.")
        assert receipt_rows(settings) == {shred_id, held_id}
        placed = await ok(triage.post(f"/api/meldingen/{held_id}/legal-hold",
                                      headers=meldpunt, json=HOLD), 201)
        assert placed["legal_hold"]["motivation"] == HOLD["motivation"]
        assert placed["legal_hold"]["placed_by"] == "mia"
        assert placed["history"][-1]["what"] == "legal hold placed"
        await ok(triage.post(f"/api/meldingen/{shred_id}/protected-persons", headers=meldpunt,
                             json={"name": "Gerrit Getuige", "role": "witness"}), 201)
        await closed_after_conversation(s, settings, shred_id)
        await closed_without_case(s, settings, held_id)

        year = datetime.now(LOCAL).year

        async def figures() -> Any:
            return await ok(reporting.get(f"/api/reports/annual?year={year}",
                                          headers=auditor))

        async def counted() -> bool:
            closed = (await figures())["closed"]["by_reason"]
            return bool(closed["case_closed"] == 1 and closed["no_action"] == 1)

        await eventually(counted, timeout=30)
        before = await figures()

        waiting = await ok(triage.get("/api/protection-check-ins", headers=meldpunt))
        assert [i["melding_id"] for i in waiting["items"]] == [shred_id]
        run = await ok(triage.post("/api/retention/run", headers=meldpunt))
        today = local_date(datetime.now(UTC)).isoformat()
        assert run["shredded"] == [{"melding_id": shred_id, "term": "conversation",
                                    "shredded_on": today}]
        assert (await ok(triage.post("/api/retention/run", headers=meldpunt)))[
            "shredded"] == []

        # Triage: 410 with the day on every staff view; the queue marks it.
        gone(await triage.get(f"/api/meldingen/{shred_id}", headers=meldpunt), today)
        gone(await triage.get(f"/api/meldingen/{shred_id}", headers=authority), today)
        gone(await triage.get(f"/api/meldingen/{shred_id}/notes", headers=meldpunt), today)
        gone(await triage.get(f"/api/meldingen/{shred_id}/protection", headers=meldpunt),
             today)
        assert (await ok(triage.get("/api/protection-check-ins", headers=meldpunt))
                )["items"] == []
        queue = await ok(triage.get("/api/meldingen?status=closed", headers=meldpunt))
        marked = {item["id"]: item["shredded_on"] for item in queue["items"]}
        assert marked == {shred_id: today, held_id: None}
        found = await ok(triage.post("/api/meldingen/search", headers=meldpunt,
                                     json={"text": "bakfiets"}))
        assert found["items"] == []
        keys = KeyStore.for_service(settings, "triage")
        assert keys.shredding(shred_id) is not None
        keys.dispose()

        # Investigation and intake act on `melding_shredded`, once.
        async def case_gone() -> bool:
            return (await cases.get(f"/api/cases/{shred_id}", headers=authority)
                    ).status_code == 410

        await eventually(case_gone)
        gone(await cases.get(f"/api/cases/{shred_id}", headers=authority), today)
        async def case_marked() -> bool:  # in the commit after its key went
            listing = await ok(cases.get("/api/cases", headers=authority))
            return [c["shredded_on"] for c in listing["items"]
                    if c["id"] == shred_id] == [today]

        await eventually(case_marked)

        wrong = await login(s["intake"], WRONG)

        async def receipt_dead() -> bool:
            return (await login(s["intake"], receipt)).status_code == wrong.status_code

        await eventually(receipt_dead)
        dead = await login(s["intake"], receipt)
        assert (dead.status_code, dead.json()) == (wrong.status_code, wrong.json())
        assert dead.status_code == 401
        assert (await login(s["intake"], held_receipt)).status_code == 200
        # Nothing of the receipt links it to the melding any more: its row is gone
        # from the receipt book, and the event store never held it.
        assert receipt_rows(settings) == {held_id}
        assert not intake_holds_receipt(s["intake"], receipt)

        # The held melding is untouched, until its hold is lifted.
        kept = await ok(triage.get(f"/api/meldingen/{held_id}", headers=meldpunt))
        assert kept["description"] == "Een tweede melding over een cadeaubon."
        lifted = await ok(triage.post(
            f"/api/meldingen/{held_id}/legal-hold/lifting", headers=meldpunt,
            json={"motivation": "De rechtszaak is afgelopen, vonnis onherroepelijk"}))
        assert lifted["legal_hold"] is None
        whats = [h["what"] for h in lifted["history"]]
        assert "legal hold placed" in whats and whats[-1] == "legal hold lifted"
        assert lifted["history"][-1]["motivation"].startswith("De rechtszaak")
        run = await ok(triage.post("/api/retention/run", headers=meldpunt))
        assert [(i["melding_id"], i["term"]) for i in run["shredded"]] == [
            (held_id, "no_follow_up")]

        async def held_receipt_dead() -> bool:
            return (await login(s["intake"], held_receipt)).status_code == 401

        await eventually(held_receipt_dead)

        # Reporting keeps counting both; the replay and the hash chains still fit.
        assert await figures() == before
        replay = await ok(reporting.post("/api/audit/replay", headers=auditor))
        assert replay["matches_live"] is True

        async def all_sealed() -> bool:
            return all(service.app.state.parts.runtime.relay.position()
                       == (service.application.recorder.max_notification_id() or 0)
                       for service in s.values())

        await eventually(all_sealed)
        report = await ok(reporting.get("/api/audit/verify", headers=auditor))
        assert report["ok"] is True, report["first_bad"]


async def test_the_hourly_check_shreds_on_the_day_the_term_ends(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={
        "retention_days_no_follow_up": 30, "retention_check_seconds": 0.05})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    clock = MovableClock(datetime.now(UTC))
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings, clock))
             for name in ("intake", "triage")}
        melding_id, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        await closed_without_case(s, settings, melding_id)
        triage = s["triage"].client

        clock.advance(timedelta(days=29))
        closed_on = local_date(clock.now() - timedelta(days=29))
        due_on = closed_on + timedelta(days=30)
        check = s["triage"].app.state.parts.retention
        while local_date(clock.now()) < due_on:
            assert check.run() == []  # every check before the day keeps it
            assert (await triage.get(f"/api/meldingen/{melding_id}",
                                     headers=MELDPUNT[0])).status_code == 200
            clock.advance(timedelta(hours=6))

        async def shredded() -> bool:
            return (await triage.get(f"/api/meldingen/{melding_id}",
                                     headers=MELDPUNT[0])).status_code == 410

        await eventually(shredded)
        gone(await triage.get(f"/api/meldingen/{melding_id}", headers=MELDPUNT[0]),
             local_date(clock.now()).isoformat())


async def test_a_hold_refuses_bad_input_the_wrong_role_and_lifting_none(
        sqlite_settings: Settings) -> None:
    MELDPUNT[:] = [token(sqlite_settings, "meldpunt", "mia")]
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, sqlite_settings))
             for name in ("intake", "triage")}
        melding_id, _ = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        triage, path = s["triage"].client, f"/api/meldingen/{melding_id}/legal-hold"
        history = (await ok(triage.get(f"/api/meldingen/{melding_id}",
                                       headers=MELDPUNT[0])))["history"]

        async def refused(response: Any, status: int, field: str | None = None) -> None:
            assert response.status_code == status, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            if field is not None:
                assert field in response.text
            melding = await ok(triage.get(f"/api/meldingen/{melding_id}",
                                          headers=MELDPUNT[0]))
            assert (melding["history"], melding["legal_hold"]) == (history, None)

        await refused(await triage.post(path, headers=MELDPUNT[0],
                                        json={"motivation": "  kort  "}), 422, "motivation")
        await refused(await triage.post(path, headers=MELDPUNT[0], json={}), 422,
                      "motivation")
        await refused(await triage.post(path, headers=MELDPUNT[0],
                                        json={**HOLD, "until": "2030-01-01"}), 422, "until")
        await refused(await triage.post(path, headers=token(sqlite_settings,
                                                            "competent_authority"),
                                        json=HOLD), 403)
        await refused(await triage.post(f"{path}/lifting", headers=MELDPUNT[0], json=HOLD),
                      409, "no legal hold")
        await refused(await triage.post("/api/retention/run",
                                        headers=token(sqlite_settings, "auditor")), 403)
        await ok(triage.post(path, headers=MELDPUNT[0], json=HOLD), 201)
        twice = await triage.post(path, headers=MELDPUNT[0], json=HOLD)
        assert twice.status_code == 409, twice.text
