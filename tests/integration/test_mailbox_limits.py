"""Reporter-facing limits that hold: a spoofed X-Forwarded-For is not believed (neither
by the app nor by uvicorn as `meldingen serve` runs it), parallel wrong codes never get
more checks than the limit, and a login with a solved proof of work is not locked out by
someone guessing from the same address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from services.intake.adapters.proof_of_work import solve
from shared import natsserver
from shared.cli.run import server_config
from shared.config import Settings
from tests.support import MELDING, RunningService, running

WRONG = "0000 0000 0000 0000"
LIMIT = 10


@pytest.fixture
async def intake(sqlite_settings: Settings) -> AsyncIterator[RunningService]:
    async with running("intake", sqlite_settings) as service:
        yield service


async def file(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/api/meldingen", json={**MELDING, "anonymous": True})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def proven(client: httpx.AsyncClient, receipt: str, **headers: str) -> httpx.Response:
    """A login as the page's JavaScript makes it: a challenge, solved."""
    challenge = (await client.post("/api/mailbox/challenge")).json()
    body = {"receipt": receipt, "challenge": challenge["challenge"],
            "proof": solve(challenge["challenge"])}
    return await client.post("/api/mailbox/login", json=body, headers=headers)


def spoofed(attempt: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{attempt % 250}"}


async def test_a_spoofed_forwarded_address_is_not_believed(intake: RunningService) -> None:
    statuses = []
    for attempt in range(LIMIT + 5):
        response = await intake.client.post("/api/mailbox/login", json={"receipt": WRONG},
                                            headers=spoofed(attempt))
        statuses.append(response.status_code)
    assert statuses == [401] * LIMIT + [429] * 5


async def test_a_named_proxy_is_believed(sqlite_settings: Settings) -> None:
    # The test client's peer is 127.0.0.1: as a named proxy, its X-Forwarded-For counts.
    settings = sqlite_settings.model_copy(update={"forwarded_allow_ips": "127.0.0.1"})
    async with running("intake", settings) as intake:
        for attempt in range(LIMIT + 5):
            response = await intake.client.post(
                "/api/mailbox/login", json={"receipt": WRONG}, headers=spoofed(attempt))
            assert response.status_code == 401, attempt  # each address its own count
        for _ in range(LIMIT):
            await intake.client.post("/api/mailbox/login", json={"receipt": WRONG},
                                     headers=spoofed(999))
        response = await intake.client.post("/api/mailbox/login", json={"receipt": WRONG},
                                            headers=spoofed(999))
        assert response.status_code == 429


async def test_uvicorn_as_serve_runs_it_believes_no_forwarded_address(
    sqlite_settings: Settings,
) -> None:
    """uvicorn itself trusts 127.0.0.1's X-Forwarded-For unless told not to."""
    port = natsserver.free_port()
    settings = sqlite_settings.model_copy(update={"intake_port": port})
    from services.intake.bootstrap import create_app

    server = uvicorn.Server(server_config(create_app(settings), settings, "intake"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            statuses = [(await client.post("/api/mailbox/login", json={"receipt": WRONG},
                                           headers=spoofed(attempt))).status_code
                        for attempt in range(LIMIT + 3)]
        assert statuses == [401] * LIMIT + [429] * 3
    finally:
        server.should_exit = True
        await task


async def test_parallel_wrong_codes_never_exceed_the_limit(intake: RunningService) -> None:
    checked = 0
    login = intake.app.state.parts.login
    find = login.find_by_receipt

    def counting(code: str) -> Any:
        nonlocal checked
        checked += 1
        return find(code)

    login.find_by_receipt = counting
    answers = await asyncio.gather(*(
        intake.client.post("/api/mailbox/login", json={"receipt": f"{n:016d}"})
        for n in range(200)))
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) == LIMIT and statuses.count(429) == 200 - LIMIT
    assert checked == LIMIT


async def test_a_solved_proof_of_work_is_not_locked_out_by_a_guesser_nearby(
    intake: RunningService,
) -> None:
    filed = await file(intake.client)
    # Someone on the same address (a shared proxy) exhausts the address's limit.
    for _ in range(LIMIT + 2):
        await intake.client.post("/api/mailbox/login", json={"receipt": WRONG})
    refused = await intake.client.post("/api/mailbox/login", json={"receipt": filed["receipt"]})
    assert refused.status_code == 429

    # The reporter's browser solves a challenge: it gets in, and a proven wrong code is
    # a 401, not a 429.
    assert (await proven(intake.client, filed["receipt"])).status_code == 200
    assert (await proven(intake.client, WRONG)).status_code == 401


async def test_a_challenge_opens_one_attempt_and_must_be_solved(
    intake: RunningService,
) -> None:
    for _ in range(LIMIT):
        await intake.client.post("/api/mailbox/login", json={"receipt": WRONG})
    challenge = (await intake.client.post("/api/mailbox/challenge")).json()["challenge"]
    solution = solve(challenge)
    body = {"receipt": WRONG, "challenge": challenge, "proof": solution}
    assert (await intake.client.post("/api/mailbox/login", json=body)).status_code == 401
    # Used once: again, it is an attempt without a proof, and the address is exhausted.
    assert (await intake.client.post("/api/mailbox/login", json=body)).status_code == 429
    # A wrong solution or a forged challenge is no proof either.
    other = (await intake.client.post("/api/mailbox/challenge")).json()["challenge"]
    wrong = str(int(solve(other)) + 1)
    for attempt in ({"challenge": other, "proof": wrong},
                    {"challenge": other.replace(".16.", ".1."), "proof": "0"}):
        response = await intake.client.post("/api/mailbox/login",
                                            json={"receipt": WRONG, **attempt})
        assert response.status_code == 429, attempt


async def test_the_limit_per_melding_holds_for_proven_logins(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"mailbox_logins_per_melding": 2})
    async with running("intake", settings) as intake:
        filed = await file(intake.client)
        answers = [(await proven(intake.client, filed["receipt"])).status_code
                   for _ in range(3)]
        assert answers == [200, 200, 429]
