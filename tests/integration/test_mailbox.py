"""The reporter's mailbox: the receipt code opens it, a wrong code does not, guessing is
slowed down, the token expires, and messages travel both ways over NATS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, assessment, eventually, ok, running, token

ANONYMOUS = {**MELDING, "anonymous": True, "identity": {"name": "Mila Mailbox"}}
WRONG = "0000 0000 0000 0000"


async def file(client: httpx.AsyncClient, melding: dict[str, Any] = ANONYMOUS) -> dict[str, Any]:
    response = await client.post("/api/meldingen", json=melding)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def login(client: httpx.AsyncClient, receipt: str) -> httpx.Response:
    return await client.post("/api/mailbox/login", json={"receipt": receipt})


def bearer(token_: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_}"}


async def test_receipt_opens_the_mailbox_with_the_acknowledgement(
    sqlite_settings: Settings,
) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = await file(intake.client)

        # The code as written down: in groups, or with dashes, opens the mailbox.
        response = await login(intake.client, filed["receipt"].replace(" ", "-"))
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        mailbox = await intake.client.get("/api/mailbox", headers=bearer(response.json()["token"]))

        assert mailbox.status_code == 200, mailbox.text
        body = mailbox.json()
        assert body["id"] == filed["id"]
        assert body["status"] == "acknowledged"
        [acknowledgement] = body["messages"]
        assert acknowledgement["from"] == "meldpunt"
        assert acknowledgement["purpose"] == "acknowledgement"
        assert "ontvangen" in acknowledgement["body"]


async def test_wrong_code_is_refused_and_guessing_is_slowed_down(
    sqlite_settings: Settings,
) -> None:
    clock = MovableClock(datetime.now(UTC))
    settings = sqlite_settings.model_copy(update={"mailbox_login_failures_per_client": 3})
    async with running("intake", settings, clock=clock) as intake:
        filed = await file(intake.client)

        # Wrong codes, well-formed or not, get the same refusal.
        answers = [await login(intake.client, code) for code in (WRONG, "12", WRONG)]
        assert [a.status_code for a in answers] == [401, 401, 401]
        assert len({a.json()["detail"] for a in answers}) == 1

        # After three failures this client is refused, even with the right code, so
        # that the answer does not tell whether a code exists.
        for code in (WRONG, filed["receipt"]):
            refused = await login(intake.client, code)
            assert refused.status_code == 429
            assert refused.headers["content-type"] == "application/problem+json"

        # Once the window has passed, the right code works again.
        clock.advance(timedelta(seconds=settings.mailbox_login_window_seconds))
        assert (await login(intake.client, filed["receipt"])).status_code == 200


async def test_logins_per_melding_are_limited(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"mailbox_logins_per_melding": 2})
    async with running("intake", settings) as intake:
        filed, other = await file(intake.client), await file(intake.client)
        answers = [(await login(intake.client, filed["receipt"])).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        # Another melding's mailbox is not held up.
        assert (await login(intake.client, other["receipt"])).status_code == 200


async def test_mailbox_token_expires(sqlite_settings: Settings) -> None:
    clock = MovableClock(datetime.now(UTC))
    async with running("intake", sqlite_settings, clock=clock) as intake:
        filed = await file(intake.client)
        session = (await login(intake.client, filed["receipt"])).json()
        assert session["expires_in"] == sqlite_settings.mailbox_token_ttl_seconds

        clock.advance(timedelta(seconds=session["expires_in"] - 1))
        assert (await intake.client.get("/api/mailbox",
                                        headers=bearer(session["token"]))).status_code == 200
        clock.advance(timedelta(seconds=1))
        expired = await intake.client.get("/api/mailbox", headers=bearer(session["token"]))
        assert expired.status_code == 401


async def test_mailbox_and_staff_tokens_do_not_mix(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = await file(intake.client)
        mailbox = bearer((await login(intake.client, filed["receipt"])).json()["token"])

        # A mailbox token opens no staff route, not even for its own melding.
        staff_route = f"/api/meldingen/{filed['id']}/sealed-identity"
        assert (await intake.client.get(staff_route, headers=mailbox)).status_code == 401
        # A staff token opens no mailbox.
        adviser = token(sqlite_settings, "confidential_adviser")
        assert (await intake.client.get("/api/mailbox", headers=adviser)).status_code == 401
        assert (await intake.client.get("/api/mailbox")).status_code == 401


async def test_messages_travel_between_mailbox_and_meldpunt(settings: Settings) -> None:
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        filed = await file(intake.client)
        mailbox = bearer((await login(intake.client, filed["receipt"])).json()["token"])
        meldpunt = token(settings, "meldpunt", "marie")

        # The reporter adds information; the meldpunt reads it in triage.
        reply = await intake.client.post("/api/mailbox/messages", headers=mailbox,
                                         json={"body": "De fiets staat nog in de schuur."})
        assert reply.status_code == 201, reply.text

        async def reply_in_triage() -> bool:
            melding = await triage.client.get(f"/api/meldingen/{filed['id']}", headers=meldpunt)
            return melding.status_code == 200 and "nog in de schuur" in melding.text

        await eventually(reply_in_triage)

        # The meldpunt writes back; the reporter reads it in the mailbox.
        sent = await triage.client.post(f"/api/meldingen/{filed['id']}/messages",
                                        headers=meldpunt, json={"body": "Dank, wij kijken."})
        assert sent.status_code == 201, sent.text

        async def message_in_mailbox() -> bool:
            body = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
            return [m["from"] for m in body["messages"]] == ["meldpunt", "reporter", "meldpunt"]

        await eventually(message_in_mailbox)
        messages = (await intake.client.get("/api/mailbox", headers=mailbox)).json()["messages"]
        assert messages[2]["body"] == "Dank, wij kijken."
        assert messages[2]["purpose"] == "message"


async def test_final_feedback_closes_the_mailbox_for_replies(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        filed = await file(intake.client)
        mailbox = bearer((await login(intake.client, filed["receipt"])).json()["token"])
        meldpunt = token(settings, "meldpunt", "marie")

        async def in_triage() -> bool:
            melding = await triage.client.get(f"/api/meldingen/{filed['id']}", headers=meldpunt)
            return melding.status_code == 200

        await eventually(in_triage)
        # The meldpunt advises that it is inadmissible; the competent authority follows
        # the advice (with a motivation), which closes it with the meldpunt's feedback.
        assessed = await triage.client.post(
            f"/api/meldingen/{filed['id']}/assessment", headers=meldpunt, json=assessment(
                admissible=False, reasonable_grounds=False, code_violation=False,
                severity="low", advice="no_action", motivation="Buiten de reikwijdte.",
                feedback="Wij behandelen dit niet."))
        assert assessed.status_code == 200, assessed.text
        assert assessed.json()["status"] == "assessed"
        authority = token(settings, "competent_authority")
        decision = f"/api/meldingen/{filed['id']}/decision"
        unmotivated = await triage.client.post(decision, headers=authority,
                                               json={"outcome": ["no_action"]})
        assert unmotivated.status_code == 422
        assert "motivation" in unmotivated.text
        by_meldpunt = await triage.client.post(decision, headers=meldpunt, json={
            "outcome": ["no_action"], "motivation": "Buiten de reikwijdte."})
        assert by_meldpunt.status_code == 403
        decided = await triage.client.post(decision, headers=authority, json={
            "outcome": ["no_action"], "motivation": "Buiten de reikwijdte."})
        assert decided.json()["closing"]["reason"] == "inadmissible", decided.text

        async def closed() -> bool:
            body = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
            return bool(body["status"] == "closed")

        await eventually(closed)
        # The assessment's text is the meldpunt's advice for the closing feedback, which
        # it writes now; that text is what the reporter reads.
        assert decided.json()["closing_feedback"] is None  # the meldpunt's to write
        due = (await ok(triage.client.get(f"/api/meldingen/{filed['id']}",
                                          headers=meldpunt)))["closing_feedback"]
        assert due["advice"] == "Wij behandelen dit niet." and due["given_at"] is None
        await ok(triage.client.post(f"/api/meldingen/{filed['id']}/closing-feedback",
                                    headers=meldpunt,
                                    json={"body": "Wij behandelen uw melding niet."}), 201)

        async def told() -> bool:
            body = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
            return bool(body["messages"][-1]["purpose"] == "feedback")

        await eventually(told)
        body = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
        assert body["messages"][-1]["body"] == "Wij behandelen uw melding niet."

        # The handling has ended: no more replies.
        late = await intake.client.post("/api/mailbox/messages", headers=mailbox,
                                        json={"body": "Nog iets."})
        assert late.status_code == 409
        assert late.json()["state"] == "closed"

        # Its competent authority reopens it (new facts): the mailbox takes replies again.
        reopened = await triage.client.post(f"/api/meldingen/{filed['id']}/reopening",
                                            headers=authority,
                                            json={"motivation": "Nieuwe feiten."})
        assert reopened.json()["status"] == "assessed", reopened.text

        async def open_again() -> bool:
            body = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
            return bool(body["status"] != "closed")

        await eventually(open_again)
        reply = await intake.client.post("/api/mailbox/messages", headers=mailbox,
                                         json={"body": "Nog iets."})
        assert reply.is_success, reply.text
