"""A full run through the real services: three meldingen from intake through triage
and investigation end up in reporting's figures; the replay matches them and every
hash chain fits."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import datetime

from shared.config import Settings
from shared.terms import LOCAL
from tests.support import (
    MELDING,
    RunningService,
    assessment,
    eventually,
    listed,
    ok,
    running,
    token,
)


async def test_a_full_run_is_counted_replayed_and_verified(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"report_threshold": 1})
    meldpunt, board = token(settings, "meldpunt", "mia"), token(settings, "competent_authority")
    ivan, auditor = token(settings, "investigator", "ivan"), token(settings, "auditor")
    async with AsyncExitStack() as stack:
        s: dict[str, RunningService] = {
            name: await stack.enter_async_context(running(name, settings))
            for name in ("intake", "triage", "investigation", "reporting")}
        listed(s["investigation"], "ivan", "investigator")

        async def file(theme: str) -> str:
            filed = await ok(s["intake"].client.post("/api/meldingen",
                                                     json={**MELDING, "theme": theme}))
            melding = str(filed["id"])

            async def in_triage() -> bool:
                return (await s["triage"].client.get(f"/api/meldingen/{melding}",
                                                     headers=meldpunt)).status_code == 200

            await eventually(in_triage)
            return melding

        async def assess_and_decide(melding: str, admissible: bool, advice: str) -> None:
            await ok(s["triage"].client.post(f"/api/meldingen/{melding}/assessment",
                                             headers=meldpunt, json=assessment(
                admissible=admissible, reasonable_grounds=admissible,
                code_violation=admissible, severity="high", advice=advice)))
            if admissible:
                await ok(s["triage"].client.post(f"/api/meldingen/{melding}/decision",
                                                 headers=board, json={
                    "outcome": [advice], "motivation": "Besloten."}))

                async def case_open() -> bool:
                    return (await s["investigation"].client.get(
                        f"/api/cases/{melding}", headers=board)).status_code == 200

                await eventually(case_open)
            else:  # the competent authority follows the inadmissible advice
                await ok(s["triage"].client.post(f"/api/meldingen/{melding}/decision",
                                                 headers=board, json={
                    "outcome": ["no_action"], "motivation": "Buiten de regeling."}))

        investigated, talked, refused = (await file("gifts"), await file("conduct"),
                                         await file("other"))
        await assess_and_decide(investigated, True, "investigation")
        await assess_and_decide(talked, True, "conversation")
        await assess_and_decide(refused, False, "no_action")

        await ok(s["triage"].client.post(
            f"/api/meldingen/{investigated}/police-reports", headers=meldpunt,
            json={"filed_on": datetime.now(LOCAL).date().isoformat(),
                  "registration_number": "PL0900-1"}))
        case = f"/api/cases/{investigated}"
        inv = s["investigation"].client
        await ok(inv.post(f"{case}/investigators", headers=board,
                          json={"investigators": ["ivan"]}))
        await ok(inv.post(f"{case}/interim-measures", headers=board,
                          json={"kind": "suspension", "motivation": "Voor het onderzoek."}))
        # A witness is protected, and complains of reprisal.
        await ok(s["triage"].client.post(
            f"/api/meldingen/{investigated}/protected-persons", headers=meldpunt,
            json={"name": "Getuige", "role": "witness"}), 201)
        await ok(s["triage"].client.post(
            f"/api/meldingen/{investigated}/reprisal-complaints", headers=meldpunt,
            json={"person_id": "1", "description": "Buitengesloten.",
                  "received_on": datetime.now(LOCAL).date().isoformat()}), 201)
        await ok(inv.post(f"{case}/plan", headers=ivan, json={"text": "Plan."}))
        await ok(inv.post(f"{case}/interviews", headers=ivan,
                          json={"interviewee": "betrokkene", "minutes": "Verslag."}))
        await ok(inv.post(f"{case}/evidence", headers=ivan,
                          json={"description": "Factuur.", "sha256": "ab" * 32}))
        await ok(inv.post(f"{case}/draft-report", headers=ivan, json={"text": "Concept."}))
        await ok(inv.post(f"{case}/response", headers=ivan, json={"text": "Zienswijze."}))
        await ok(inv.post(f"{case}/final-report", headers=ivan,
                          json={"text": "Eindrapport.", "conclusion": "founded"}))
        await ok(inv.post(f"{case}/measures", headers=board, json={"measures": [
            {"target": "person", "kind": "written_reprimand", "description": "Berisping."},
            {"target": "process", "kind": "training", "description": "Training."}],
            "interim_ending": ["1"]}))
        await ok(inv.post(f"/api/cases/{talked}/conversation", headers=board,
                          json={"minutes": "Gesprek gevoerd."}))
        await ok(inv.post(f"/api/cases/{talked}/measures", headers=board, json={"measures": [
            {"target": "person", "kind": "none", "description": "Geen."}]}))

        # Each closing waits for the meldpunt's closing feedback, which counts as the
        # feedback on the follow-up.
        for melding in (investigated, talked, refused):
            async def due(melding: str = melding) -> bool:
                answer = (await s["triage"].client.get(f"/api/meldingen/{melding}",
                                                       headers=meldpunt)).json()
                return answer.get("closing_feedback") is not None

            await eventually(due)
            await ok(s["triage"].client.post(f"/api/meldingen/{melding}/closing-feedback",
                                             headers=meldpunt,
                                             json={"body": "Uw melding is afgehandeld."}),
                     201)

        year = datetime.now(LOCAL).year
        reporting = s["reporting"].client

        async def counted() -> bool:
            figures = (await reporting.get(f"/api/reports/annual?year={year}",
                                           headers=auditor)).json()
            return bool(figures["closed"]["by_reason"]["case_closed"] == 2
                        and figures["closed"]["by_reason"]["inadmissible"] == 1
                        and figures["police_reports"] == 1
                        and figures["reprisal_complaints"] == 1
                        and figures["interim_measures"]["by_kind"]["suspension"] == 1
                        and figures["terms"]["feedback"]["within"] >= 2)

        await eventually(counted, timeout=30)
        figures = (await reporting.get(f"/api/reports/annual?year={year}",
                                       headers=auditor)).json()
        assert figures["meldingen"]["total"] == 3
        assert figures["meldingen"]["by_theme"]["gifts"] == 1
        assert figures["admissibility"] == {"admissible": 2, "inadmissible": 1}
        assert figures["decisions"]["by_outcome"]["investigation"] == 1
        assert figures["decisions"]["by_outcome"]["conversation"] == 1
        assert figures["investigations"] == {"held": 1, "by_conclusion": {
            "founded": 1, "partly_founded": 0, "unfounded": 0, "not_established": 0},
            "measures_after": {"none": 0, "written_reprimand": 1, "suspension": 0,
                               "dismissal": 0, "summary_dismissal": 0, "process_change": 0,
                               "training": 1, "other": 0}}
        assert figures["conversations"] == 1
        measures = figures["measures"]["by_kind"]
        assert (measures["written_reprimand"], measures["training"], measures["none"]) \
            == (1, 1, 1)
        assert figures["terms"]["acknowledgement"] == {"within": 3, "late": 0,
                                                        "share_within": 1.0}
        assert figures["terms"]["feedback"]["late"] == 0

        replay = await ok(reporting.post("/api/audit/replay", headers=auditor))
        assert replay["matches_live"] is True
        # A replay reads up to where the live figures were when it began; events still
        # on their way (a term's reminder, a checkpoint) move that on. The same position
        # replayed again gives the same digest.
        for _ in range(50):
            again = await ok(reporting.post("/api/audit/replay", headers=auditor))
            assert again["matches_live"] is True
            if again["position"] == replay["position"]:
                assert again["digest"] == replay["digest"]
                break
            replay = again
        else:
            raise AssertionError("the live figures never stood still for two replays")
        await ok(reporting.post("/api/audit/replay", headers=auditor))

        async def all_sealed() -> bool:
            return all(service.app.state.parts.runtime.relay.position()
                       == (service.application.recorder.max_notification_id() or 0)
                       for service in s.values())

        await eventually(all_sealed)
        report = await ok(reporting.get("/api/audit/verify", headers=auditor))
        assert report["ok"] is True, report["first_bad"]
        chains = {c["chain"] for c in report["chains"]}
        assert {"stream:intake", "stream:triage", "stream:investigation",
                "store:intake", "store:triage", "store:investigation"} <= chains
