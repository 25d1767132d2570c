"""Police reports, referrals and the official-crime duty over HTTP: each refusal is a
problem+json naming the field (or 403 for a role without the action) and changes
nothing."""

from __future__ import annotations

from uuid import UUID

import pytest

from shared.config import Settings
from tests.support import MELDING, assessment, eventually, running, token


async def test_police_reports_referrals_and_the_official_crime_duty(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    meldpunt, authority = token(settings, "meldpunt"), token(settings, "competent_authority")
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        filed = (await intake.client.post("/api/meldingen", json=MELDING)).json()
        url = f"/api/meldingen/{filed['id']}"

        async def arrived() -> bool:
            return (await triage.client.get(url, headers=meldpunt)).is_success

        await eventually(arrived)
        # A police report before the assessment: any stage will do.
        recorded = await triage.client.post(f"{url}/police-reports", headers=meldpunt, json={
            "filed_on": "2026-01-05", "registration_number": "PL0900-2026-1"})
        assert recorded.status_code == 201, recorded.text
        assert recorded.json()["police_reports"][0]["registration_number"] == "PL0900-2026-1"
        by_investigator = await triage.client.post(
            f"{url}/police-reports", headers=token(settings, "investigator"),
            json={"filed_on": "2026-01-05", "registration_number": "PL0900-2026-2"})
        assert by_investigator.status_code == 403

        assessed = await triage.client.post(f"{url}/assessment", headers=meldpunt,
                                            json=assessment(official_crime=True))
        assert assessed.json()["assessment"]["official_crime"] is True, assessed.text
        version = triage.application.repository.get(UUID(filed["id"])).version
        for body, field in (
                ({"outcome": ["investigation"], "motivation": "Onderzoek."},
                 "police_report_motivation"),
                ({"outcome": ["referral"], "motivation": "Elders.",
                  "police_report_motivation": "Geen aangifte: het LKOG gaat erover."},
                 "referral_to")):
            refused = await triage.client.post(f"{url}/decision", headers=authority, json=body)
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert field in refused.text
        assert triage.application.repository.get(UUID(filed["id"])).version == version
        decided = await triage.client.post(f"{url}/decision", headers=authority, json={
            "outcome": ["referral"], "motivation": "Het LKOG gaat erover.",
            "referral_to": "lkog",
            "police_report_motivation": "Geen aangifte: het LKOG beoordeelt dat."})
        assert decided.json()["decision"]["referral_to"] == "lkog", decided.text
        assert decided.json()["status"] == "closed"


NOT_ADMISSIBLE = assessment(admissible=False, reasonable_grounds=False, code_violation=False,
                            advice="no_action", motivation="Valt buiten de regeling.",
                            feedback="Wij behandelen uw melding niet: zij valt buiten de "
                                     "regeling.")


@pytest.mark.parametrize("mandated", [False, True])
async def test_not_admissible_advice_is_decided_by_the_competent_authority(
        sqlite_settings: Settings, mandated: bool) -> None:
    """The meldpunt advises; the routed competent authority decides, with a motivation,
    and only then is the melding closed. An organisation that mandates its meldpunt
    (MELDINGEN_MELDPUNT_CLOSES_INADMISSIBLE) has it closed at the assessment."""
    settings = sqlite_settings.model_copy(update={"meldpunt_closes_inadmissible": mandated})
    meldpunt = token(settings, "meldpunt")
    authority = token(settings, "competent_authority")
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        filed = (await intake.client.post("/api/meldingen", json=MELDING)).json()
        url = f"/api/meldingen/{filed['id']}"

        async def arrived() -> bool:
            return (await triage.client.get(url, headers=meldpunt)).is_success

        await eventually(arrived)
        assessed = await triage.client.post(f"{url}/assessment", headers=meldpunt,
                                            json=NOT_ADMISSIBLE)
        assert assessed.status_code == 200, assessed.text
        if mandated:
            assert assessed.json()["status"] == "closed"
            late = await triage.client.post(f"{url}/decision", headers=authority, json={
                "outcome": ["no_action"], "motivation": "Eens."})
            assert late.status_code == 409, late.text
            return
        assert assessed.json()["status"] == "assessed"
        version = triage.application.repository.get(UUID(filed["id"])).version
        by_meldpunt = await triage.client.post(f"{url}/decision", headers=meldpunt, json={
            "outcome": ["no_action"], "motivation": "Eens."})
        assert by_meldpunt.status_code == 403, by_meldpunt.text
        unmotivated = await triage.client.post(f"{url}/decision", headers=authority,
                                               json={"outcome": ["no_action"],
                                                     "motivation": "  "})
        assert unmotivated.status_code == 422, unmotivated.text
        assert unmotivated.headers["content-type"] == "application/problem+json"
        assert "motivation" in {e["field"] for e in unmotivated.json()["errors"]}
        assert triage.application.repository.get(UUID(filed["id"])).version == version
        decided = await triage.client.post(f"{url}/decision", headers=authority, json={
            "outcome": ["no_action"], "motivation": "Het advies is juist."})
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "closed"
        assert decided.json()["decision"]["motivation"] == "Het advies is juist."
