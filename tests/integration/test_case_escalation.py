"""Escalation, interim measures and the person concerned over HTTP, across the real
intake, triage and investigation services and a real nats-server: every step with its
refusals (out of order 409, wrong role 403, a missing motivation 422 as problem+json
naming the field), none of which changes the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from shared.config import Settings
from tests.integration.test_procedure_happy_paths import SHA, file_and_decide, procedure
from tests.support import listed, ok, token

TODAY = datetime.now(UTC).date().isoformat()


async def refused(cases: httpx.AsyncClient, app: Any, melding_id: str, path: str,
                  headers: dict[str, str], body: dict[str, Any], status: int,
                  field: str | None = None) -> None:
    version = app.repository.get(UUID(melding_id)).version
    answer = await cases.post(f"/api/cases/{melding_id}/{path}", headers=headers, json=body)
    assert answer.status_code == status, (path, answer.text)
    assert answer.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert field in answer.text, answer.text
    assert app.repository.get(UUID(melding_id)).version == version


async def test_a_conversation_escalated_with_interim_measures_and_the_person_concerned(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    async with procedure(settings) as s:
        melding_id, _ = await file_and_decide(s, settings, ["conversation"])
        authority = token(settings, "competent_authority")
        meldpunt = token(settings, "meldpunt", "mia")
        ivan = token(settings, "investigator", "ivan")
        cases, app = s["investigation"].client, s["investigation"].application
        url = f"/api/cases/{melding_id}"
        listed(s["investigation"], "ivan", "investigator", name="Ivan Petrov")

        # Interim measures belong to an investigation: not to a conversation.
        await refused(cases, app, melding_id, "interim-measures", authority,
                      {"kind": "suspension", "motivation": "m"}, 409, "awaiting_conversation")
        await refused(cases, app, melding_id, "escalation", meldpunt, {"motivation": "m"}, 403)
        await refused(cases, app, melding_id, "escalation", authority, {"motivation": " "},
                      422, "motivation")
        case = await ok(await cases.post(f"{url}/escalation", headers=authority,
                                         json={"motivation": "Het gesprek wees op meer."}))
        assert (case["path"], case["status"]) == ("investigation", "awaiting_investigators")
        assert case["escalation"]["motivation"] == "Het gesprek wees op meer."
        listing = await ok(await cases.get("/api/cases", headers=authority))
        assert listing["items"][0]["path"] == "investigation"
        await refused(cases, app, melding_id, "escalation", authority, {"motivation": "m"},
                      409, "awaiting_investigators")

        # Interim measures, motivated, and lifted with a motivation.
        await refused(cases, app, melding_id, "interim-measures", authority,
                      {"kind": "suspension"}, 422, "motivation")
        await refused(cases, app, melding_id, "interim-measures", authority,
                      {"kind": "exile", "motivation": "m"}, 422, "kind")
        await refused(cases, app, melding_id, "interim-measures", ivan,
                      {"kind": "suspension", "motivation": "m"}, 403)
        for kind in ("suspension", "change_of_duties", "non_active"):
            case = await ok(await cases.post(f"{url}/interim-measures", headers=authority,
                                             json={"kind": kind, "motivation": f"Nodig: {kind}"}))
        assert [m["measure_id"] for m in case["interim_measures"]] == ["1", "2", "3"]
        await refused(cases, app, melding_id, "interim-measures/3/lifting", authority, {},
                      422, "motivation")
        case = await ok(await cases.post(f"{url}/interim-measures/3/lifting",
                                         headers=authority, json={"motivation": "Rust keert."}))
        assert case["interim_measures"][2]["lifted"]["motivation"] == "Rust keert."
        await refused(cases, app, melding_id, "interim-measures/3/lifting", authority,
                      {"motivation": "m"}, 409)
        await refused(cases, app, melding_id, "interim-measures/7/lifting", authority,
                      {"motivation": "m"}, 404)

        # The person concerned: not heard before informed; informing postponed first.
        await refused(cases, app, melding_id, "person-concerned/hearing", authority,
                      {"held_on": TODAY, "minutes": "m"}, 409, "informed")
        await refused(cases, app, melding_id, "person-concerned/postponement", authority,
                      {"until": "2099-01-01"}, 422, "reason")
        await refused(cases, app, melding_id, "person-concerned/postponement", authority,
                      {"reason": "Bewijs.", "until": TODAY}, 422, "until")
        await refused(cases, app, melding_id, "person-concerned/postponement", ivan,
                      {"reason": "Bewijs.", "until": "2099-01-01"}, 403)
        until = (datetime.now(UTC) + timedelta(days=21)).date().isoformat()
        case = await ok(await cases.post(f"{url}/person-concerned/postponement",
                                         headers=authority,
                                         json={"reason": "Bewijs kan verdwijnen.",
                                               "until": until}))
        assert case["person_concerned"]["postponed_until"] == until
        await refused(cases, app, melding_id, "person-concerned/informed", authority,
                      {"informed_on": "2099-01-01"}, 422, "informed_on")
        case = await ok(await cases.post(f"{url}/person-concerned/informed", headers=authority,
                                         json={"informed_on": TODAY}))
        assert case["person_concerned"]["informed"]["informed_by"] == "tester"
        assert case["person_concerned"]["postponed_until"] is None
        await refused(cases, app, melding_id, "person-concerned/informed", authority,
                      {"informed_on": TODAY}, 409)
        await ok(await cases.post(f"{url}/person-concerned/hearing", headers=authority,
                                  json={"held_on": TODAY, "minutes": "Zij legt uit."}))
        await ok(await cases.post(f"{url}/person-concerned/file-requests", headers=authority,
                                  json={"requested_on": TODAY}))
        await refused(cases, app, melding_id, "person-concerned/file-requests/1/answer",
                      authority, {"granted": False}, 422, "answer")
        case = await ok(await cases.post(f"{url}/person-concerned/file-requests/1/answer",
                                         headers=authority,
                                         json={"granted": True, "answer": "Op 3 mei."}))
        assert case["person_concerned"]["file_requests"][0]["answer"]["granted"] is True
        await refused(cases, app, melding_id, "person-concerned/outcome", authority,
                      {"told_on": TODAY}, 409, "awaiting_investigators")
        # The meldpunt follows the case, not what the person concerned said.
        followed = await ok(await cases.get(url, headers=meldpunt))
        assert followed["person_concerned"] is None and followed["interim_measures"] == []

        # The investigation, then the final measures settle each interim measure.
        await ok(await cases.post(f"{url}/investigators", headers=authority,
                                  json={"investigators": ["ivan"]}))
        for path, body in (("plan", {"text": "Plan."}),
                           ("interviews", {"interviewee": "x", "minutes": "m"}),
                           ("evidence", {"description": "Factuur", "sha256": SHA}),
                           ("draft-report", {"text": "Concept."}),
                           ("response", {"text": "Zienswijze."}),
                           ("final-report", {"text": "Rapport.", "conclusion": "founded"})):
            await ok(await cases.post(f"{url}/{path}", headers=ivan, json=body), None)
        measures = [{"target": "person", "kind": "dismissal", "description": "Ontslag."}]
        for ending, kept in (([], []), (["1"], []), (["1", "3"], ["2"])):
            await refused(cases, app, melding_id, "measures", authority,
                          {"measures": measures, "interim_ending": ending,
                           "interim_kept": kept}, 422, "interim_ending")
        case = await ok(await cases.post(f"{url}/measures", headers=authority, json={
            "measures": measures, "interim_ending": ["2"], "interim_kept": ["1"]}))
        assert case["status"] == "closed"
        assert case["interim_measures"][1]["lifted"]["by_final_measures"] is True
        assert case["interim_measures"][0]["kept"] is True
        await refused(cases, app, melding_id, "person-concerned/hearing", authority,
                      {"held_on": TODAY, "minutes": "m"}, 409, "closed")
        case = await ok(await cases.post(f"{url}/person-concerned/outcome", headers=authority,
                                         json={"told_on": TODAY}))
        assert case["person_concerned"]["outcome_told"]["told_on"] == TODAY
        assert "person concerned told the outcome" in [h["what"] for h in case["history"]]
