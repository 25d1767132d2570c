"""A named reporter's identity in triage: every read is recorded (who, when) and
listed for the meldpunt; the reporter's consent from the mailbox reaches triage, and
only with it does the melding's competent authority see the identity."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from tests.support import MELDING, RunningService, assessment, eventually, ok, running, token


async def melding(triage: RunningService, melding_id: str,
                  headers: dict[str, str]) -> dict[str, Any]:
    return dict(await ok(triage.client.get(f"/api/meldingen/{melding_id}", headers=headers)))


async def test_identity_reads_are_listed_and_consent_widens_who_sees_it(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    meldpunt, other_officer = token(settings, "meldpunt", "mia"), token(settings, "meldpunt", "max")
    authority = token(settings, "competent_authority")  # the default competent authority
    stranger = token(settings, "competent_authority", "someone-else")
    async with running("intake", settings) as intake, \
            running("triage", settings) as triage:
        filed = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        melding_id = filed["id"]
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        reporter = {"Authorization": f"Bearer {login['token']}"}

        async def arrived() -> bool:
            response = await triage.client.get(f"/api/meldingen/{melding_id}",
                                               headers=other_officer)
            return response.status_code == 200

        await eventually(arrived)
        # (that first look was a read too: max's)
        seen = await melding(triage, melding_id, meldpunt)
        assert seen["identity"]["name"] == "Jan Jansen"
        assert seen["identity_consent"] is None
        assert [r["by"] for r in seen["identity_reads"]] == ["max", "mia"]

        await ok(triage.client.post(f"/api/meldingen/{melding_id}/assessment",
                                    headers=meldpunt, json=assessment()))
        # No answer counts as no: the competent authority sees the melding, not who filed it.
        as_authority = await melding(triage, melding_id, authority)
        assert as_authority["identity"] is None
        assert as_authority["identity_reads"] is None  # the log is the meldpunt's

        await ok(intake.client.post("/api/mailbox/identity-consent", headers=reporter,
                                    json={"given": True}), 201)

        async def consented() -> bool:
            return (await melding(triage, melding_id, authority))["identity"] is not None

        await eventually(consented)
        as_authority = await melding(triage, melding_id, authority)
        assert as_authority["identity_consent"] is True
        assert as_authority["identity"]["name"] == "Jan Jansen"
        # Consent is for whom the melding is for: another competent authority gets 404.
        assert (await triage.client.get(f"/api/meldingen/{melding_id}",
                                        headers=stranger)).status_code == 404

        # Withdrawn: from then on the meldpunt alone again.
        await ok(intake.client.post("/api/mailbox/identity-consent", headers=reporter,
                                    json={"given": False}), 201)

        async def withdrawn() -> bool:
            return (await melding(triage, melding_id, authority))["identity_consent"] is False

        await eventually(withdrawn)
        assert (await melding(triage, melding_id, authority))["identity"] is None

        reads = (await melding(triage, melding_id, meldpunt))["identity_reads"]
        readers = [r["by"] for r in reads]
        # Every read that showed the identity, in order, and none that did not (the
        # competent authority's before the consent and after its withdrawal).
        assert readers[:2] == ["max", "mia"] and readers[-1] == "mia"
        assert set(readers[2:-1]) == {"tester"}
        assert all(r["at"] for r in reads)
        history = [h["what"] for h in seen["history"]]
        assert "identity read" not in history  # the log is not in the shared history


async def test_an_anonymous_melding_records_no_identity_read(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings) as intake, \
            running("triage", settings) as triage:
        filed = await ok(intake.client.post(
            "/api/meldingen", json={**MELDING, "anonymous": True, "identity": None}), 201)

        async def arrived() -> bool:
            response = await triage.client.get(f"/api/meldingen/{filed['id']}",
                                               headers=meldpunt)
            return response.status_code == 200

        await eventually(arrived)
        seen = await melding(triage, filed["id"], meldpunt)
        assert seen["identity"] is None and seen["identity_reads"] == []
        assert seen["identity_consent"] is None
