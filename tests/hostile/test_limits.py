"""Size and rate limits against hostile bodies: each is refused with problem+json
before it costs anything (413 before the body is parsed; 400 or 422 for what the
parser or the schema refuses), nothing is stored, and no answer is larger than
the request that provoked it. A flood of mailbox logins meets 429."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from shared.config import Settings
from tests.support import RunningService, running, token

BASE = {"kind": "wrongdoing", "theme": "gifts", "anonymous": True}
HOSTILE: dict[str, bytes] = {
    "nested arrays": b"[" * 30_000 + b"]" * 30_000,
    "nested in a field": (b'{"kind":"wrongdoing","theme":"gifts","anonymous":true,"description":'
                          + b"[" * 20_000 + b"]" * 20_000 + b"}"),
    "a 60000-digit number": (b'{"kind":"wrongdoing","theme":"gifts","anonymous":true,'
                             b'"description":"x","involved":[' + b"9" * 60_000 + b"]}"),
    "a float beyond range": (b'{"kind":"wrongdoing","theme":"gifts","anonymous":true,'
                             b'"description":"x","occurred":1e999999}'),
    "a huge string": json.dumps(BASE | {"description": "x" * 60_000}).encode(),
    "thousands of unknown keys": ("{" + ",".join(f'"k{i}":1' for i in range(6_000))
                                  + "}").encode(),
    "thousands of persons concerned": json.dumps(
        BASE | {"description": "x", "involved": ["a"] * 10_000}).encode(),
    "a lone surrogate": (b'{"kind":"wrongdoing","theme":"gifts","anonymous":true,'
                         b'"description":"\\ud800"}'),
    "invalid UTF-8": (b'{"kind":"wrongdoing","theme":"gifts","anonymous":true,'
                      b'"description":"\xff\xfe"}'),
    "not JSON at all": b"\x00\x01\x02" * 1000,
}


@pytest.fixture
async def intake(sqlite_settings: Settings) -> AsyncIterator[RunningService]:
    async with running("intake", sqlite_settings) as service:
        yield service


def _stored(service: RunningService) -> int:
    return len(service.application.recorder.select_notifications(None, 10_000))


@pytest.mark.parametrize("name", HOSTILE)
async def test_a_hostile_body_is_refused_with_a_small_problem_and_stores_nothing(
    intake: RunningService, name: str
) -> None:
    body = HOSTILE[name]
    assert len(body) <= 64 * 1024 or name == "nested arrays", "keep it under the limit"
    before = _stored(intake)
    response = await intake.client.post(
        "/api/meldingen", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (400, 413, 422), (name, response.status_code)
    assert response.headers["content-type"] == "application/problem+json"
    assert len(response.content) < max(len(body), 4096), (name, len(response.content))
    assert _stored(intake) == before


@pytest.mark.parametrize(("service", "path", "role"), [
    ("intake", "/api/meldingen", None),
    ("intake", "/api/mailbox/login", None),
    ("triage", "/api/meldingen/00000000-0000-0000-0000-000000000000/assessment", "meldpunt"),
    ("investigation", "/api/cases/00000000-0000-0000-0000-000000000000/plan", "investigator"),
    ("reporting", "/api/audit/replay", "auditor"),
])
async def test_an_oversized_body_gets_413_on_every_service(
    sqlite_settings: Settings, service: str, path: str, role: str | None
) -> None:
    headers = {"content-type": "application/json"}
    if role:
        headers |= token(sqlite_settings, role)
    body = json.dumps({"text": "x" * (sqlite_settings.max_body_bytes + 1)}).encode()
    async with running(service, sqlite_settings) as running_service:
        response = await running_service.client.post(path, content=body, headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_flood_of_mailbox_logins_meets_429_with_retry_after(
    intake: RunningService,
) -> None:
    statuses = []
    for attempt in range(40):
        response = await intake.client.post("/api/mailbox/login",
                                            json={"receipt": f"{attempt:016d}"})
        statuses.append(response.status_code)
    assert 500 not in statuses and set(statuses) <= {401, 429}, statuses
    assert statuses[-1] == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize(("service", "path", "role"), [
    ("triage", "/api/meldingen/00000000-0000-0000-0000-000000000000/assessment", "meldpunt"),
    ("investigation", "/api/cases/00000000-0000-0000-0000-000000000000/plan", "investigator"),
    ("intake", "/api/contact-moments", "confidential_adviser"),
])
async def test_hostile_bodies_to_staff_routes_are_refused_small_and_without_5xx(
    sqlite_settings: Settings, service: str, path: str, role: str
) -> None:
    headers = token(sqlite_settings, role) | {"content-type": "application/json"}
    async with running(service, sqlite_settings) as running_service:
        for name, body in HOSTILE.items():
            response = await running_service.client.post(path, content=body, headers=headers)
            assert 400 <= response.status_code < 500, (name, response.status_code)
            assert response.headers["content-type"] == "application/problem+json", name
            assert len(response.content) < max(len(body), 4096), (name, len(response.content))
