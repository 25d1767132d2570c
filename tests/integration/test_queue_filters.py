"""Triage's queue over HTTP: the narrower filters and the order by nearest deadline,
the unread mark a reporter's reply sets and the meldpunt's opening clears, the search
as a POST with the need-to-know rule, and bad filters refused naming the parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, eventually, ok, running, token

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


async def test_filters_sort_unread_and_search(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    clock = MovableClock(NOW)
    meldpunt, bert = token(settings, "meldpunt", "mia"), token(settings, "competent_authority",
                                                                "bert")
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        bike = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        clock.advance(timedelta(minutes=1))
        laptop = await ok(intake.client.post("/api/meldingen", json={
            **MELDING, "kind": "wrongdoing",
            "description": "Een collega nam een laptop van de afdeling mee naar huis."}), 201)

        async def listed(**query: Any) -> list[str]:
            page = await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                              params=query))
            return [i["id"] for i in page["items"]]

        await eventually(lambda: _has(listed(), 2))
        assert await listed(kind="wrongdoing") == [laptop["id"]]
        assert await listed(channel="web") == [bike["id"], laptop["id"]]
        assert await listed(channel="meldpunt") == []
        # The nearer term first: the one received first.
        assert await listed(sort="deadline") == [bike["id"], laptop["id"]]

        # A reply sets the unread mark; the meldpunt opening the melding clears it.
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": laptop["receipt"]}))
        reporter = {"Authorization": f"Bearer {login['token']}"}
        await ok(intake.client.post("/api/mailbox/messages", headers=reporter,
                                    json={"body": "Het serienummer is 1234."}), 201)
        await eventually(lambda: _equals(listed(reply_unread="true"), [laptop["id"]]))
        assert await listed(reply_unread="false") == [bike["id"]]
        await ok(triage.client.get(f"/api/meldingen/{laptop['id']}", headers=meldpunt))
        assert await listed(reply_unread="true") == []

        # Search: every word, any case, in the body; with the queue's filters.
        async def found(**body: Any) -> list[str]:
            page = await ok(triage.client.post("/api/meldingen/search", headers=meldpunt,
                                               json=body))
            return [i["id"] for i in page["items"]]

        assert await found(text="LAPTOP afdeling") == [laptop["id"]]
        assert await found(text="afdeling") == [laptop["id"]]  # a word, not a prefix
        assert await found(text="een", kind="integrity_violation") == [bike["id"]]
        assert await found(text="fiets schuur") == []
        # Nothing assigned to bert yet: his search finds nothing.
        none = await ok(triage.client.post("/api/meldingen/search", headers=bert,
                                           json={"text": "laptop"}))
        assert none["total"] == 0

        # The severity the assessment gave.
        await ok(triage.client.post(f"/api/meldingen/{bike['id']}/assessment",
                                    headers=meldpunt, json={
                                        "admissible": True, "reasonable_grounds": True,
                                        "code_violation": True, "severity": "high",
                                        "theme": "gifts", "advice": "conversation",
                                        "motivation": "Genoeg om te spreken."}))
        assert await listed(severity="high") == [bike["id"]]
        assert await listed(severity="low") == []

        # Bad values: 422 naming the parameter, nothing listed.
        for query, field in ((("kind", "fraud"),), "kind"), ((("sort", "name"),), "sort"), \
                ((("severity", "x"),), "severity"), ((("reply_unread", "maybe"),),
                                                     "reply_unread"):
            refused = await triage.client.get("/api/meldingen", headers=meldpunt,
                                              params=dict(query))
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in refused.json()["errors"]] == [field], refused.text
        for body, field in (({"text": " "}, "text"), ({"text": "x" * 201}, "text"),
                            ({}, "text"),
                            ({"text": "x", "channel": "fax"}, "channel"),
                            ({"text": "x", "words": "y"}, "words")):
            refused = await triage.client.post("/api/meldingen/search", headers=meldpunt,
                                               json=body)
            assert refused.status_code == 422, refused.text
            assert [e["field"] for e in refused.json()["errors"]] == [field], refused.text


async def _has(ids: Any, count: int) -> bool:
    return len(await ids) == count


async def _equals(ids: Any, expected: list[str]) -> bool:
    return bool(await ids == expected)


async def test_keyset_paging_walks_the_queue_and_refuses_a_bad_cursor(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    clock = MovableClock(NOW)
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        filed = []
        for _ in range(5):
            filed.append((await ok(intake.client.post("/api/meldingen", json=MELDING),
                                   201))["id"])
            clock.advance(timedelta(minutes=1))

        async def page(**query: Any) -> Any:
            return await ok(triage.client.get("/api/meldingen", headers=meldpunt,
                                              params=query))

        async def all_in() -> bool:
            return bool((await page())["total"] == 5)

        await eventually(all_in)
        seen, cursor, pages = [], None, 0
        while True:
            answer = await page(limit=2, **({"cursor": cursor} if cursor else {}))
            assert answer["total"] == 5
            seen += [i["id"] for i in answer["items"]]
            pages += 1
            cursor = answer["next_cursor"]
            if cursor is None:
                break
        assert (seen, pages) == (filed, 3)
        # The offset's pages give the same cursor to go on from.
        first = await page(limit=2)
        assert (await page(limit=2, cursor=first["next_cursor"]))["items"] == (
            await page(limit=2, offset=2))["items"]
        last = await page(status="received", limit=5)
        assert last["next_cursor"] is None

        for bad in ({"cursor": "bm90IGEgY3Vyc29y"}, {"cursor": "%%%"},
                    {"cursor": first["next_cursor"], "sort": "deadline"},
                    {"cursor": first["next_cursor"], "offset": 2}):
            refused = await triage.client.get("/api/meldingen", headers=meldpunt,
                                              params=bad)
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["errors"][0]["field"] == "cursor"
