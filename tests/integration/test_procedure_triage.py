"""Triage over HTTP with real intake, a real nats-server and a moved clock: deadlines,
the queue's filters and pages, who sees the reporter's identity, and the mailbox
traffic both ways."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import Tracking

from shared.clock import MovableClock
from shared.config import Settings
from shared.contracts import MeldingReceived
from tests.support import MELDING, RunningService, assessment, eventually, running, token

JAN_31 = datetime(2025, 1, 31, 9, tzinfo=UTC)


async def queue(triage: RunningService, headers: dict[str, str], **filters: Any) -> Any:
    response = await triage.client.get("/api/meldingen", headers=headers, params=filters)
    assert response.status_code == 200, response.text
    return response.json()


async def ids(triage: RunningService, headers: dict[str, str], **filters: Any) -> list[str]:
    return [item["id"] for item in (await queue(triage, headers, **filters))["items"]]


async def test_queue_filters_deadlines_and_identity(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    clock = MovableClock(JAN_31)
    meldpunt = token(settings, "meldpunt", "mia")
    authority = token(settings, "competent_authority")  # the default competent authority
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        # Three meldingen on three days: named (gifts), anonymous (conduct), named (gifts).
        filed = []
        for body in (MELDING,
                     {**MELDING, "anonymous": True, "theme": "conduct", "identity": None},
                     MELDING):
            response = await intake.client.post("/api/meldingen", json=body)
            assert response.status_code == 201, response.text
            filed.append(response.json())
            clock.advance(timedelta(days=1))
        a, b, c = (f["id"] for f in filed)

        async def all_arrived() -> bool:
            return bool((await queue(triage, meldpunt))["total"] == 3)

        await eventually(all_arrived)

        # Deadlines: 7 days to acknowledge; 31 January + 3 months is 30 April (10:00
        # in Nijmegen, winter or summer time: 09:00 UTC then, 08:00 UTC now).
        melding = (await triage.client.get(f"/api/meldingen/{a}", headers=meldpunt)).json()
        assert melding["deadlines"] == {"acknowledge_by": "2025-02-07T09:00:00Z",
                                        "feedback_by": "2025-04-30T08:00:00Z"}

        # Identity: a named reporter's for the meldpunt only; an anonymous one's never.
        assert melding["identity"]["name"] == "Jan Jansen"
        # Before the assessment routes it, no competent authority sees the melding.
        as_authority = await triage.client.get(f"/api/meldingen/{a}", headers=authority)
        assert as_authority.status_code == 404
        anonymous = await triage.client.get(f"/api/meldingen/{b}", headers=meldpunt)
        assert anonymous.json()["identity"] is None and anonymous.json()["anonymous"]

        # The meldpunt gives c its feedback in time.
        response = await triage.client.post(f"/api/meldingen/{c}/messages", headers=meldpunt,
                                             json={"body": "Stand van zaken.",
                                                   "purpose": "feedback"})
        assert response.status_code == 201, response.text

        # On 30 April nothing is overdue yet; a day later a and b are, c is not.
        clock.set(datetime(2025, 4, 30, 8, tzinfo=UTC))
        assert await ids(triage, meldpunt, overdue="true") == []
        clock.set(datetime(2025, 5, 1, 10, tzinfo=UTC))
        assert await ids(triage, meldpunt, overdue="true") == [a, b]
        assert await ids(triage, meldpunt, overdue="false") == [c]
        items = (await queue(triage, meldpunt))["items"]
        assert [item["overdue"] for item in items] == [True, True, False]

        # Filters on theme and status; the assessment's confirmed theme counts.
        assert await ids(triage, meldpunt, theme="gifts") == [a, c]
        response = await triage.client.post(f"/api/meldingen/{a}/assessment", headers=meldpunt,
                                            json=assessment(severity="low", theme="interests",
                                                            advice="conversation"))
        assert response.status_code == 200, response.text
        as_authority = await triage.client.get(f"/api/meldingen/{a}", headers=authority)
        assert as_authority.json()["identity"] is None
        assert await ids(triage, authority) == [a]
        assert await ids(triage, meldpunt, theme="gifts") == [c]
        assert await ids(triage, meldpunt, theme="interests") == [a]
        assert await ids(triage, meldpunt, status="assessed") == [a]
        assert await ids(triage, meldpunt, status="received", theme="conduct") == [b]
        assert await ids(triage, meldpunt, status="received", overdue="true") == [b]
        assert (await triage.client.get("/api/meldingen", headers=meldpunt,
                                        params={"status": "lost"})).status_code == 422

        # Pages, oldest first.
        page = await queue(triage, meldpunt, offset=1, limit=1)
        assert ([i["id"] for i in page["items"]], page["total"]) == ([b], 3)

        # The reporter of a answers in the mailbox; the answer joins a's history.
        login = await intake.client.post("/api/mailbox/login",
                                         json={"receipt": filed[0]["receipt"]})
        reporter = {"Authorization": f"Bearer {login.json()['token']}"}
        response = await intake.client.post("/api/mailbox/messages", headers=reporter,
                                            json={"body": "Ik heb nog een foto."})
        assert response.status_code == 201, response.text

        async def reply_arrived() -> bool:
            melding = (await triage.client.get(f"/api/meldingen/{a}", headers=meldpunt)).json()
            return bool(melding["history"][-1]["what"] == "reporter_replied")

        await eventually(reply_arrived)
        melding = (await triage.client.get(f"/api/meldingen/{a}", headers=meldpunt)).json()
        assert melding["messages"][-1] == {"from": "reporter", "body": "Ik heb nog een foto.",
                                           "purpose": "reply", "at": melding["history"][-1]["at"]}
        assert [h["who"] for h in melding["history"]] == [
            "intake (web)", "intake", "mia", "mia", "reporter"]


async def test_a_late_acknowledgement_makes_a_melding_overdue(sqlite_settings: Settings) -> None:
    clock = MovableClock(datetime(2025, 3, 1, tzinfo=UTC))
    meldpunt = token(sqlite_settings, "meldpunt")
    async with running("triage", sqlite_settings, clock) as triage:
        # A melding registered on someone's behalf, acknowledged only after 9 days
        # (fed straight into triage's policy, as its inbox would).
        late = MeldingReceived(
            melding_id=str(uuid4()), kind="wrongdoing", theme="resources", channel="manager",
            description="Dienstauto privé gebruikt.", involved=[], occurred=None,
            anonymous=True, identity=None, received_at=datetime(2025, 2, 1, tzinfo=UTC),
            acknowledged_at=datetime(2025, 2, 10, tzinfo=UTC))
        triage.application.process_event(late, Tracking("test", 1))
        assert await ids(triage, meldpunt, overdue="true") == [late.melding_id]


async def test_simultaneous_steps_on_one_melding_lose_nothing(sqlite_settings: Settings) -> None:
    """Requests racing on one melding: each is stored or refused with 409, never half."""
    meldpunt = token(sqlite_settings, "meldpunt")
    async with running("intake", sqlite_settings) as intake, \
            running("triage", sqlite_settings) as triage:
        melding_id = (await intake.client.post("/api/meldingen", json=MELDING)).json()["id"]

        async def arrived() -> bool:
            response = await triage.client.get(f"/api/meldingen/{melding_id}",
                                               headers=meldpunt)
            return response.is_success

        await eventually(arrived)
        responses = await asyncio.gather(*(
            triage.client.post(f"/api/meldingen/{melding_id}/messages", headers=meldpunt,
                               json={"body": f"Bericht {n}."}) for n in range(8)))
        codes = [r.status_code for r in responses]
        assert set(codes) <= {201, 409} and 201 in codes, codes
        melding = (await triage.client.get(f"/api/meldingen/{melding_id}",
                                           headers=meldpunt)).json()
        assert len(melding["messages"]) == codes.count(201)
