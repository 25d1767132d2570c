"""Every out-of-order step answers 409 naming the current state and changes nothing:
walked over HTTP along both paths, against the transition tables themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from uuid import UUID

from services.investigation.domain.case import TRANSITIONS as CASE_TRANSITIONS
from services.triage.domain.procedure import TRANSITIONS as REPORT_TRANSITIONS
from shared.config import Settings
from tests.support import (
    MELDING,
    RunningService,
    assessment,
    eventually,
    listed,
    running,
    token,
)

ASSESSMENT = assessment()

#: triage command -> (role, path after /api/meldingen/{id}, body)
TRIAGE_STEPS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "assess": ("meldpunt", "assessment", ASSESSMENT),
    "decide": ("competent_authority", "decision",
               {"outcome": ["investigation"], "motivation": "Onderzoek."}),
    "message_reporter": ("meldpunt", "messages", {"body": "Een bericht."}),
    "reassign": ("meldpunt", "competent-authority",
                 {"competent_authority": "tester", "motivation": "Afwezig."}),
    "reopen": ("competent_authority", "reopening", {"motivation": "Nieuwe feiten."}),
    # protection (a complaint and its handling may come at any stage: never refused)
    "protect_person": ("meldpunt", "protected-persons", {"name": "Getuige", "role": "witness"}),
    "record_protection_check_in": ("meldpunt", "protection-check-ins",
                                   {"disadvantage": False, "notes": "Geen nadeel."}),
}

#: case command -> (who, path after /api/cases/{id}, body)
CASE_STEPS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "record_conversation": ("authority", "conversation", {"minutes": "Gesprek."}),
    "assign_investigators": ("authority", "investigators", {"investigators": ["ivan"]}),
    "change_investigators": ("authority", "investigators/ivan", {}),
    "record_plan": ("ivan", "plan", {"text": "Plan."}),
    "record_interview": ("ivan", "interviews", {"interviewee": "x", "minutes": "Verslag."}),
    "comment_on_interview": ("ivan", "interviews/1/comments", {"text": "Commentaar."}),
    "add_evidence": ("ivan", "evidence", {"description": "Foto", "sha256": "0" * 64}),
    "issue_draft_report": ("ivan", "draft-report", {"text": "Concept."}),
    "record_response": ("ivan", "response", {"text": "Zienswijze."}),
    "record_response_lapse": ("ivan", "response-term-lapsed", {}),
    "issue_final_report": ("ivan", "final-report", {"text": "Rapport.",
                                                    "conclusion": "partly_founded"}),
    "take_measures": ("authority", "measures", {"measures": [
        {"target": "process", "kind": "process_change", "description": "Nieuwe regels."}]}),
    "escalate": ("authority", "escalation", {"motivation": "Meer nodig."}),
    "take_interim_measure": ("authority", "interim-measures",
                             {"kind": "suspension", "motivation": "Bewijs."}),
    "lift_interim_measure": ("authority", "interim-measures/1/lifting", {"motivation": "Zo."}),
    "inform_person_concerned": ("authority", "person-concerned/informed",
                                {"informed_on": "2026-01-05"}),
    "postpone_informing": ("authority", "person-concerned/postponement",
                           {"reason": "Bewijs.", "until": "2099-01-01"}),
    "record_hearing": ("authority", "person-concerned/hearing",
                       {"held_on": "2026-01-05", "minutes": "Gehoord."}),
    "record_file_request": ("authority", "person-concerned/file-requests",
                            {"requested_on": "2026-01-05"}),
    "answer_file_request": ("authority", "person-concerned/file-requests/1/answer",
                            {"granted": True, "answer": "Ja."}),
    "tell_outcome": ("authority", "person-concerned/outcome", {"told_on": "2026-01-05"}),
}


@asynccontextmanager
async def services(settings: Settings) -> AsyncIterator[dict[str, RunningService]]:
    async with AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(running(name, settings))
               for name in ("intake", "triage", "investigation")}


async def new_melding(s: dict[str, RunningService], settings: Settings) -> str:
    filed = (await s["intake"].client.post("/api/meldingen", json=MELDING)).json()
    meldpunt = token(settings, "meldpunt")

    async def arrived() -> bool:
        response = await s["triage"].client.get(f"/api/meldingen/{filed['id']}",
                                                headers=meldpunt)
        return response.is_success

    await eventually(arrived)
    return str(filed["id"])


async def assert_refused_in(service: RunningService, aggregate_id: str, status: str,
                            table: Mapping[str, Mapping[str, str]],
                            steps: dict[str, tuple[str, str, dict[str, Any]]],
                            headers: dict[str, dict[str, str]], prefix: str,
                            hidden: frozenset[str] = frozenset()) -> int:
    """Try every step the table refuses in `status`; each is 409 and changes nothing.
    The `hidden` ones come from someone who may not see the melding yet: 404."""
    version = service.application.repository.get(UUID(aggregate_id)).version
    tried = 0
    for command, (who, path, body) in steps.items():
        if status in table[command]:
            continue
        response = await service.client.post(f"{prefix}/{aggregate_id}/{path}",
                                             headers=headers[who], json=body)
        if command in hidden:
            assert response.status_code == 404, (command, status, response.text)
            continue
        assert response.status_code == 409, (command, status, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["state"] == status, (command, response.text)
        tried += 1
    assert service.application.repository.get(UUID(aggregate_id)).version == version
    return tried


async def test_triage_refuses_every_step_out_of_order(sqlite_settings: Settings) -> None:
    # Mandated, the meldpunt closes an inadmissible melding itself (below).
    settings = sqlite_settings.model_copy(update={"meldpunt_closes_inadmissible": True})
    headers = {role: token(settings, role) for role in ("meldpunt", "competent_authority")}
    async with services(settings) as s:
        triage = s["triage"]
        melding_id = await new_melding(s, settings)
        tried = 0
        for step in ("assess", "decide"):
            status = (await triage.client.get(f"/api/meldingen/{melding_id}",
                                              headers=headers["meldpunt"])).json()["status"]
            # Until the assessment routes it, no competent authority sees the melding.
            hidden = frozenset({"decide", "reopen"} if status == "received" else ())
            tried += await assert_refused_in(triage, melding_id, status, REPORT_TRANSITIONS,
                                             TRIAGE_STEPS, headers, "/api/meldingen", hidden)
            role, path, body = TRIAGE_STEPS[step]
            response = await triage.client.post(f"/api/meldingen/{melding_id}/{path}",
                                                headers=headers[role], json=body)
            assert response.is_success, response.text
        tried += await assert_refused_in(triage, melding_id, "decided", REPORT_TRANSITIONS,
                                         TRIAGE_STEPS, headers, "/api/meldingen")

        # The mandated meldpunt closes an inadmissible one: nothing more can happen.
        closed_id = await new_melding(s, settings)
        response = await triage.client.post(
            f"/api/meldingen/{closed_id}/assessment", headers=headers["meldpunt"],
            json={**ASSESSMENT, "admissible": False, "advice": "no_action"})
        assert response.json()["status"] == "closed"
        tried += await assert_refused_in(triage, closed_id, "closed", REPORT_TRANSITIONS,
                                         TRIAGE_STEPS, headers, "/api/meldingen")
        # received: 2 (decide, reopen: 404), assessed: 2, decided: 4, closed: 5
        assert tried == 13
        # Its competent authority reopens it, but only with a motivation.
        reopening = f"/api/meldingen/{closed_id}/reopening"
        unmotivated = await triage.client.post(reopening, headers=headers["competent_authority"],
                                               json={})
        assert unmotivated.status_code == 422 and "motivation" in unmotivated.text
        reopened = await triage.client.post(reopening, headers=headers["competent_authority"],
                                            json={"motivation": "Nieuwe feiten."})
        assert reopened.json()["status"] == "assessed", reopened.text
        assert reopened.json()["reopened_at"] is not None


async def walk_case(s: dict[str, RunningService], settings: Settings, outcome: str,
                    path: list[str]) -> int:
    """Decide on `outcome`, then along `path` try every refused step before each step."""
    melding_id = await new_melding(s, settings)
    meldpunt, authority = token(settings, "meldpunt"), token(settings, "competent_authority")
    listed(s["investigation"], "ivan", "investigator")
    await s["triage"].client.post(f"/api/meldingen/{melding_id}/assessment", headers=meldpunt,
                                  json=ASSESSMENT)
    await s["triage"].client.post(f"/api/meldingen/{melding_id}/decision", headers=authority,
                                  json={"outcome": [outcome], "motivation": "Zo."})
    cases = s["investigation"]

    async def opened() -> bool:
        return (await cases.client.get(f"/api/cases/{melding_id}",
                                       headers=authority)).is_success

    await eventually(opened)
    headers = {"authority": authority, "ivan": token(settings, "investigator", "ivan")}
    tried = 0
    for step in [*path, None]:
        status = (await cases.client.get(f"/api/cases/{melding_id}",
                                         headers=authority)).json()["status"]
        # Investigator steps are 404 until ivan is assigned: only then are they tried.
        reachable = {c: v for c, v in CASE_STEPS.items()
                     if v[0] == "authority" or "ivan" in cases.application.repository.get(
                         UUID(melding_id)).investigators}
        tried += await assert_refused_in(cases, melding_id, status, CASE_TRANSITIONS,
                                         reachable, headers, "/api/cases")
        if step is not None:
            who, url, body = CASE_STEPS[step]
            response = await cases.client.post(f"/api/cases/{melding_id}/{url}",
                                               headers=headers[who], json=body)
            assert response.is_success, (step, response.text)
    assert status == "closed"
    return tried


async def test_investigation_refuses_every_step_out_of_order(sqlite_settings: Settings) -> None:
    async with services(sqlite_settings) as s:
        tried = await walk_case(s, sqlite_settings, "investigation", [
            "assign_investigators", "record_plan", "record_interview", "comment_on_interview",
            "add_evidence", "issue_draft_report", "record_response", "issue_final_report",
            "take_measures"])
        assert tried > 60
        tried = await walk_case(s, sqlite_settings, "conversation",
                                ["record_conversation", "take_measures"])
        # awaiting_conversation, conversation_held, closed (the protocol's steps, then
        # the interim measures' and the person concerned's)
        assert tried == (3 + 4) + (3 + 4) + (4 + 5)
