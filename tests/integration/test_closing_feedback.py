"""The closing feedback in the meldpunt's words (issue 20 item 6): a closing makes it
due, with the closing template in the reporter's language and the competent
authority's text beside it as advice; `POST /api/meldingen/{id}/closing-feedback`
sends the meldpunt's text to the mailbox, once, and refuses an unfinished one, one
for a melding still open, and anyone but the meldpunt, changing nothing; the queue
lists the due ones until then. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from services.triage.domain.feedback import GAP, TEMPLATES
from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, RunningService, assessment, eventually, ok, running, token

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
ADVICE = "Het bevoegd gezag ziet na het gesprek met de afdeling geen grond voor actie."


async def test_the_meldpunt_writes_the_closing_feedback_once_the_melding_closed(
    settings: Settings,
) -> None:
    meldpunt = token(settings, "meldpunt", "mia")
    authority = token(settings, "competent_authority")
    async with running("intake", settings) as intake, \
            running("triage", settings) as triage:
        filed = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        melding_id = filed["id"]
        url = f"/api/meldingen/{melding_id}"
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        reporter = {"Authorization": f"Bearer {login['token']}"}

        async def arrived() -> bool:
            return (await triage.client.get(url, headers=meldpunt)).status_code == 200

        await eventually(arrived)

        async def give(body: str, headers: dict[str, str] = meldpunt) -> Any:
            return await triage.client.post(f"{url}/closing-feedback", headers=headers,
                                            json={"body": body})

        async def due_ids() -> list[str]:
            page = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                              params={"closing_feedback_due": "true"}))
            return [item["id"] for item in page["items"]]

        # Not closed yet: nothing is due, and giving it is refused as the state's.
        early = await give("Uw melding is afgerond.")
        assert early.status_code == 409 and early.json()["state"] == "received", early.text
        assert await due_ids() == []

        await ok(triage.client.post(f"{url}/assessment", headers=meldpunt,
                                    json=assessment(advice="no_action")))
        await ok(triage.client.post(f"{url}/decision", headers=authority, json={
            "outcome": ["no_action"], "motivation": "Geen grond.", "feedback": ADVICE}))
        melding = await ok(triage.client.get(url, headers=meldpunt))
        due = melding["closing_feedback"]
        assert due["start"] == TEMPLATES["nl"]["no_action"] and due["advice"] == ADVICE
        assert due["given_at"] is None and due["overdue"] is False
        assert melding["messages"] == [] and melding["feedback_at"] is None
        assert await due_ids() == [melding_id]
        page = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                          params={"closing_feedback_due": "true"}))
        assert page["items"][0]["closing_feedback_due_by"] is not None
        assert page["items"][0]["closing_feedback_overdue"] is False

        # Refused, changing nothing: the competent authority, a gap left, an empty text.
        assert (await give("Afgerond.", authority)).status_code == 403
        unfinished = await give(f"Uw melding is afgerond. {GAP}")
        assert unfinished.status_code == 422 and "body" in unfinished.text
        assert (await give("   ")).status_code == 422
        unchanged = await ok(triage.client.get(url, headers=meldpunt))
        assert unchanged["messages"] == [] and unchanged["closing_feedback"] == due

        words = TEMPLATES["nl"]["no_action"] + " Wij danken u voor uw melding."
        given = await give(words)
        assert given.status_code == 201, given.text
        assert given.json()["closing_feedback"]["given_at"] is not None
        assert await due_ids() == []
        again = await give("Nog een keer.")
        assert again.status_code == 409, again.text

        async def in_the_mailbox() -> bool:
            mailbox = await ok(intake.client.get("/api/mailbox", headers=reporter))
            return [m["body"] for m in mailbox["messages"] if m["purpose"] == "feedback"
                    ] == [words]

        # The meldpunt's words arrive; the authority's advice never does as it is.
        await eventually(in_the_mailbox)
        mailbox = await ok(intake.client.get("/api/mailbox", headers=reporter))
        assert all(ADVICE not in m["body"] for m in mailbox["messages"])
        after = await ok(triage.client.get(url, headers=meldpunt))
        assert len(after["messages"]) == 1

        # The advice and the words are kept under the melding's key: triage's store,
        # opened with its own cipher key, holds neither in the clear.
        mapper = triage.application.mapper
        states = [mapper.compressor.decompress(mapper.cipher.decrypt(stored.state))
                  for stored in triage.application.recorder.select_events(UUID(melding_id))]
        assert any(b"mk1:" in state for state in states)
        for distinctive in (ADVICE, "Wij danken u voor uw melding"):
            assert not any(distinctive.encode() in state for state in states), distinctive


async def test_the_closing_feedback_is_overdue_past_its_term(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings.model_copy(update={"closing_feedback_days": 2})
    clock = MovableClock(NOW)
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        filed = await _closed_without_action(intake, triage, settings)
        url = f"/api/meldingen/{filed['id']}"
        due = (await ok(triage.client.get(url, headers=meldpunt)))["closing_feedback"]
        assert due["due_by"] == "2026-03-04T09:00:00Z" and due["overdue"] is False

        # The term is the setting's: a minute past it, the melding is marked overdue.
        clock.advance(timedelta(days=2, minutes=1))
        due = (await ok(triage.client.get(url, headers=meldpunt)))["closing_feedback"]
        assert due["overdue"] is True
        page = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                          params={"closing_feedback_due": "true"}))
        assert [(i["id"], i["closing_feedback_overdue"]) for i in page["items"]] == [
            (filed["id"], True)]


async def test_a_due_closing_feedback_is_listed_after_a_restart(settings: Settings) -> None:
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings) as intake:
        async with running("triage", settings) as triage:
            filed = await _closed_without_action(intake, triage, settings)
            url = f"/api/meldingen/{filed['id']}"
        # Triage starts again from its stored rows: the closing feedback is still due.
        async with running("triage", settings) as triage:
            page = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                              params={"closing_feedback_due": "true"}))
            assert [item["id"] for item in page["items"]] == [filed["id"]]
            await ok(triage.client.post(f"{url}/closing-feedback", headers=meldpunt,
                                        json={"body": "Uw melding is afgehandeld."}), 201)
        async with running("triage", settings) as triage:
            page = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                              params={"closing_feedback_due": "true"}))
            assert page["items"] == []


async def _closed_without_action(intake: RunningService, triage: RunningService,
                                 settings: Settings) -> dict[str, Any]:
    """A melding filed, assessed and decided on without follow-up: closed, its closing
    feedback due."""
    meldpunt = token(settings, "meldpunt", "mia")
    filed: dict[str, Any] = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
    url = f"/api/meldingen/{filed['id']}"

    async def arrived() -> bool:
        return (await triage.client.get(url, headers=meldpunt)).status_code == 200

    await eventually(arrived)
    await ok(triage.client.post(f"{url}/assessment", headers=meldpunt,
                                json=assessment(advice="no_action")))
    await ok(triage.client.post(f"{url}/decision", headers=token(settings, "competent_authority"),
                                json={"outcome": ["no_action"], "motivation": "Geen."}))
    return filed
