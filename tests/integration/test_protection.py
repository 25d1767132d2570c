"""Protection against disadvantage (benadeling), over HTTP with real intake, triage and
reporting: the meldpunt marks persons to protect and records a complaint of reprisal,
the melding's competent authority handles it, the closed melding waits for a check-in
until one is recorded; each step with its refusals (wrong role, missing motivation,
unknown melding, out of order), and the names kept under the melding's key at rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from services.triage.protection.domain.protection import Protection
from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import LOCAL
from tests.support import MELDING, RunningService, assessment, eventually, ok, running, token

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
WITNESS = "Wilhelmina Getuige-Zorgvuldig"


async def filed(intake: RunningService, triage: RunningService,
                meldpunt: dict[str, str]) -> str:
    melding: str = (await ok(intake.client.post("/api/meldingen", json=MELDING), 201))["id"]

    async def arrived() -> bool:
        return (await triage.client.get(f"/api/meldingen/{melding}",
                                        headers=meldpunt)).status_code == 200

    await eventually(arrived)
    return melding


async def test_persons_complaints_handling_and_the_check_in(settings: Settings) -> None:
    settings = settings.model_copy(update={"report_threshold": 1})
    clock = MovableClock(START)
    meldpunt = token(settings, "meldpunt", "mia")
    authority = token(settings, "competent_authority")  # the default competent authority
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage, \
            running("reporting", settings, clock) as reporting:
        melding = await filed(intake, triage, meldpunt)
        url = f"/api/meldingen/{melding}"

        # Marking a person: the meldpunt's, with a role from the list, for a known melding.
        person = {"name": WITNESS, "role": "witness", "note": "Zag de overhandiging."}
        assert (await triage.client.post(f"{url}/protected-persons", headers=authority,
                                         json=person)).status_code == 403
        unknown = await triage.client.post(f"/api/meldingen/{uuid4()}/protected-persons",
                                           headers=meldpunt, json=person)
        assert unknown.status_code == 404, unknown.text
        bad = await triage.client.post(f"{url}/protected-persons", headers=meldpunt,
                                       json={"name": " ", "role": "bystander"})
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} >= {"name", "role"}
        marked = await ok(triage.client.post(f"{url}/protected-persons", headers=meldpunt,
                                             json=person), 201)
        assert [(p["person_id"], p["name"], p["role"]) for p in marked["persons"]] == [
            ("1", WITNESS, "witness")]
        again = await triage.client.post(f"{url}/protected-persons", headers=meldpunt,
                                         json=person)
        assert again.status_code == 409, again.text
        await ok(triage.client.post(f"{url}/protected-persons", headers=meldpunt,
                                    json={"name": "De melder", "role": "reporter"}), 201)

        # A complaint names one of them, and cannot come from the future.
        complaint = {"person_id": "1", "description": "Overgeplaatst na het interview.",
                     "received_on": "2026-03-02"}
        stranger = await triage.client.post(f"{url}/reprisal-complaints", headers=meldpunt,
                                            json={**complaint, "person_id": "7"})
        assert stranger.status_code == 422 and "person_id" in stranger.text
        future = await triage.client.post(f"{url}/reprisal-complaints", headers=meldpunt,
                                          json={**complaint, "received_on": "2026-04-01"})
        assert future.status_code == 422 and "received_on" in future.text
        recorded = await ok(triage.client.post(f"{url}/reprisal-complaints", headers=meldpunt,
                                               json=complaint), 201)
        assert recorded["complaints"][0]["handling"] is None

        # Handling: the melding's assigned competent authority only, motivated, once.
        handling = {"outcome": "measures_taken", "motivation": "Overplaatsing teruggedraaid.",
                    "measures": "Terug naar de eigen afdeling."}
        handle = f"{url}/reprisal-complaints/1/handling"
        assert (await triage.client.post(handle, headers=meldpunt,
                                         json=handling)).status_code == 403
        # Before the assessment no competent authority is assigned: it is no one's yet.
        assert (await triage.client.post(handle, headers=authority,
                                         json=handling)).status_code == 404
        await ok(triage.client.post(f"{url}/assessment", headers=meldpunt,
                                    json=assessment(advice="no_action")))
        other = token(settings, "competent_authority", "someone-else")
        assert (await triage.client.post(handle, headers=other,
                                         json=handling)).status_code == 404
        unmotivated = await triage.client.post(handle, headers=authority,
                                               json={"outcome": "unfounded"})
        assert unmotivated.status_code == 422 and "motivation" in unmotivated.text
        missing = await triage.client.post(f"{url}/reprisal-complaints/9/handling",
                                           headers=authority, json=handling)
        assert missing.status_code == 404, missing.text
        endless = await triage.client.post(f"{url}/reprisal-complaints/{'9' * 40}/handling",
                                           headers=authority, json=handling)
        assert endless.status_code == 422, endless.text
        handled = await ok(triage.client.post(handle, headers=authority, json=handling))
        assert handled["complaints"][0]["handling"]["outcome"] == "measures_taken"
        twice = await triage.client.post(handle, headers=authority, json=handling)
        assert twice.status_code == 409, twice.text

        # A check-in belongs to a closed melding.
        visit = {"disadvantage": False, "notes": "Gesproken; geen nadeel ondervonden."}
        early = await triage.client.post(f"{url}/protection-check-ins", headers=meldpunt,
                                         json=visit)
        assert early.status_code == 409 and early.json()["state"] == "assessed"
        await ok(triage.client.post(f"{url}/decision", headers=authority, json={
            "outcome": ["no_action"], "motivation": "Geen grond."}))
        closed_at = (await ok(triage.client.get(url, headers=meldpunt)))["closing"]["at"]

        # Closed: no one is marked any more, and the check-in is due in 90 days.
        late = await triage.client.post(f"{url}/protected-persons", headers=meldpunt,
                                        json={"name": "Nog iemand", "role": "helper"})
        assert late.status_code == 409 and late.json()["state"] == "closed"
        due_by = datetime.fromisoformat(closed_at) + timedelta(days=90)
        listing = await ok(triage.client.get("/api/protection-check-ins", headers=meldpunt))
        assert [(i["melding_id"], datetime.fromisoformat(i["due_by"]), i["overdue"])
                for i in listing["items"]] == [(melding, due_by, False)]
        assert (await triage.client.get("/api/protection-check-ins",
                                        headers=authority)).status_code == 403
        # A meldpunt officer who declared a conflict of interest is not told of it.
        nora = token(settings, "meldpunt", "nora")
        recused = await triage.client.post(f"{url}/recusal", headers=nora,
                                           json={"reason": "Mijn zus."})
        assert recused.status_code == 204, recused.text
        assert (await ok(triage.client.get("/api/protection-check-ins",
                                           headers=nora)))["items"] == []
        clock.advance(timedelta(days=91))
        listing = await ok(triage.client.get("/api/protection-check-ins", headers=meldpunt))
        assert listing["items"][0]["overdue"] is True

        unnoted = await triage.client.post(f"{url}/protection-check-ins", headers=meldpunt,
                                           json={"disadvantage": "no"})
        assert unnoted.status_code == 422
        assert {e["field"] for e in unnoted.json()["errors"]} >= {"disadvantage", "notes"}
        checked = await ok(triage.client.post(f"{url}/protection-check-ins",
                                              headers=meldpunt, json=visit), 201)
        assert checked["check_in_due_by"] is None and len(checked["check_ins"]) == 1
        assert (await ok(triage.client.get("/api/protection-check-ins",
                                           headers=meldpunt)))["items"] == []

        # A complaint can still come after the closing; the competent authority reads all.
        await ok(triage.client.post(f"{url}/reprisal-complaints", headers=meldpunt, json={
            **complaint, "received_on": clock.now().astimezone(LOCAL).date().isoformat()}),
            201)
        read = await ok(triage.client.get(f"{url}/protection", headers=authority))
        assert [c["complaint_id"] for c in read["complaints"]] == ["1", "2"]

        # Both complaints count in the annual figures of the melding's year.
        auditor = token(settings, "auditor")

        async def counted() -> bool:
            figures = (await reporting.client.get("/api/reports/annual?year=2026",
                                                  headers=auditor)).json()
            return bool(figures.get("reprisal_complaints") == 2)

        await eventually(counted)

        # A second melding closed with someone to protect, not yet checked in with.
        other = await filed(intake, triage, meldpunt)
        await ok(triage.client.post(f"/api/meldingen/{other}/protected-persons",
                                    headers=meldpunt, json={"name": "De melder",
                                                            "role": "reporter"}), 201)
        await ok(triage.client.post(f"/api/meldingen/{other}/assessment", headers=meldpunt,
                                    json=assessment(advice="no_action")))
        await ok(triage.client.post(f"/api/meldingen/{other}/decision", headers=authority,
                                    json={"outcome": ["no_action"], "motivation": "Nee."}))

    # After a restart the view is rebuilt from the store: the checked-in melding off
    # the list, the other on it; the names and texts
    # are kept under the melding's key: triage's store, opened with its own cipher key,
    # holds no trace of them.
    async with running("triage", settings, clock) as triage:
        listing = await ok(triage.client.get("/api/protection-check-ins", headers=meldpunt))
        assert [i["melding_id"] for i in listing["items"]] == [other]
        read = await ok(triage.client.get(f"{url}/protection", headers=meldpunt))
        assert read["persons"][0]["name"] == WITNESS
        mapper = triage.application.mapper
        states = [mapper.compressor.decompress(mapper.cipher.decrypt(stored.state))
                  for stored in triage.application.recorder.select_events(
                      Protection.create_id(UUID(melding)))]
        assert len(states) >= 7 and all(b"mk1:" in state for state in states[1:])
        for distinctive in (WITNESS, "overhandiging", "Overgeplaatst", "teruggedraaid",
                            "eigen afdeling", "geen nadeel"):
            assert not any(distinctive.encode() in state for state in states), distinctive
