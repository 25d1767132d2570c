"""Internal notes on a melding: the meldpunt and the melding's own competent authority
write them, the staff who may see the melding read them, nobody else does, and the
reporter's mailbox never shows one."""

from __future__ import annotations

from shared.config import Settings
from tests.support import DEFAULT_AUTHORITY, assessment, filed_in_triage, ok, token


async def test_notes_are_for_the_staff_who_may_see_the_melding(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    async with filed_in_triage(settings) as s:
        intake, triage, filed = s.intake, s.triage, s.filed
        meldpunt, authority, other = s.meldpunt, s.authority, s.other
        notes = f"{s.path}/notes"
        assert (await ok(triage.client.get(notes, headers=meldpunt)))["notes"] == []
        written = await ok(triage.client.post(notes, headers=meldpunt,
                                              json={"body": "Eerst de leverancier bellen."}),
                           201)
        assert [(n["body"], n["by"]) for n in written["notes"]] == [
            ("Eerst de leverancier bellen.", "mia")]
        # Before it is routed to them, the competent authority does not see the melding.
        assert (await triage.client.get(notes, headers=authority)).status_code == 404
        await ok(triage.client.post(f"{s.path}/assessment",
                                    headers=meldpunt, json=assessment()))
        await ok(triage.client.post(notes, headers=authority,
                                    json={"body": "Gesprek gepland."}), 201)
        both = await ok(triage.client.get(notes, headers=meldpunt))
        assert [n["by"] for n in both["notes"]] == ["mia", DEFAULT_AUTHORITY]

        # Another competent authority: as if there were no melding; other roles: refused.
        assert (await triage.client.get(notes, headers=other)).status_code == 404
        refused = await triage.client.post(notes, headers=other, json={"body": "x"})
        assert refused.status_code == 404
        for role in ("investigator", "confidential_adviser", "auditor"):
            headers = token(settings, role, "someone")
            assert (await triage.client.get(notes, headers=headers)).status_code == 403
            assert (await triage.client.post(notes, headers=headers,
                                             json={"body": "x"})).status_code == 403
        # Bad input: 422 naming the field, nothing written.
        for body in ({"body": " "}, {"body": "x" * 20_001}, {"text": "x"}):
            bad = await triage.client.post(notes, headers=meldpunt, json=body)
            assert bad.status_code == 422, bad.text
            assert bad.json()["errors"][0]["field"] in ("body", "text")
        assert len((await ok(triage.client.get(notes, headers=meldpunt)))["notes"]) == 2

        # The reporter's mailbox shows none of it.
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        mailbox = await intake.client.get(
            "/api/mailbox", headers={"Authorization": f"Bearer {login['token']}"})
        assert mailbox.status_code == 200
        assert "leverancier bellen" not in mailbox.text
        assert "Gesprek gepland" not in mailbox.text
