"""The lists of what staff did, without content: the meldingen a staff member
registered on a reporter's behalf (their own only), and every fetch of a sealed
identity (for the confidential adviser and the auditor)."""

from __future__ import annotations

from shared.config import Settings
from tests.support import MELDING, ok, running, token

ANONYMOUS = {**MELDING, "anonymous": True, "identity": {"name": "Mila Mailbox"}}


async def test_each_sees_what_they_registered_and_the_adviser_every_reveal(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    mark, mia = token(settings, "manager", "mark"), token(settings, "meldpunt", "mia")
    vera = token(settings, "confidential_adviser", "vera")
    async with running("intake", settings) as intake:
        first = await ok(intake.client.post("/api/meldingen", headers=mark, json={
            **MELDING, "channel": "manager"}), 201)
        second = await ok(intake.client.post("/api/meldingen", headers=mark, json={
            **MELDING, "channel": "manager", "received_how": "oral"}), 201)
        await ok(intake.client.post("/api/meldingen", headers=mia, json={
            **MELDING, "channel": "meldpunt"}), 201)
        sealed = await ok(intake.client.post("/api/meldingen", json=ANONYMOUS), 201)

        mine = await ok(intake.client.get("/api/registrations", headers=mark))
        assert mine["total"] == 2
        assert [r["melding_id"] for r in mine["items"]] == [second["id"], first["id"]]
        assert mine["items"][0]["received_how"] == "oral"
        assert "description" not in str(mine) and MELDING["description"] not in str(mine)
        paged = await ok(intake.client.get("/api/registrations", headers=mark,
                                           params={"offset": 1, "limit": 1}))
        assert [r["melding_id"] for r in paged["items"]] == [first["id"]]
        assert (await ok(intake.client.get("/api/registrations", headers=mia)))["total"] == 1

        await ok(intake.client.get(f"/api/meldingen/{sealed['id']}/sealed-identity",
                                   headers=vera))
        reveals = await ok(intake.client.get("/api/identity-reveals", headers=vera))
        assert [(r["melding_id"], r["by"]) for r in reveals["items"]] == [
            (sealed["id"], "vera")]
        auditor = token(settings, "auditor", "olga")
        assert (await ok(intake.client.get("/api/identity-reveals", headers=auditor)))[
            "total"] == 1

        # Not for whom the table does not name; bad paging is named, and changes nothing.
        assert (await intake.client.get("/api/identity-reveals", headers=mark)).status_code == 403
        assert (await intake.client.get("/api/registrations",
                                        headers=vera)).json()["total"] == 0
        bad = await intake.client.get("/api/registrations", headers=mark,
                                      params={"limit": 0})
        assert bad.status_code == 422 and "limit" in bad.text

    # Rebuilt from the store at a restart, each counted once.
    async with running("intake", settings) as intake:
        assert (await ok(intake.client.get("/api/registrations", headers=mark)))["total"] == 2
        assert (await ok(intake.client.get("/api/identity-reveals", headers=vera)))[
            "total"] == 1
