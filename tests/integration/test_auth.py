"""Staff authentication: a missing, forged, expired or otherwise invalid bearer token is
401, a valid token with the wrong role is 403, on triage's queue and on intake's
registration on a reporter's behalf. Nothing is stored for a refused registration."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest

from shared.auth import STAFF_ROLES
from shared.authz import PERMISSIONS
from shared.config import Settings
from tests.support import MELDING, RunningService, running

PROBLEM_JSON = "application/problem+json"
REGISTRATION = {**MELDING, "channel": "manager"}


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def claims(settings: Settings, role: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "tester", "role": role, "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience, "iat": now, "exp": now + 600, **changes}


def signed(settings: Settings, role: str, **changes: Any) -> dict[str, str]:
    return bearer(jwt.encode(claims(settings, role, **changes), settings.jwt_key, "HS256"))


def invalid_tokens(settings: Settings, role: str) -> dict[str, dict[str, str]]:
    """Every way a token may fail, each for a role that would otherwise be allowed."""
    now = int(time.time())
    valid = jwt.encode(claims(settings, role), settings.jwt_key, "HS256")
    return {
        "none": {},
        "not bearer": {"Authorization": f"Basic {valid}"},
        "garbage": bearer("not-a-jwt"),
        "forged": bearer(jwt.encode(claims(settings, role), "a" * 64, "HS256")),
        "expired": signed(settings, role, iat=now - 7200, exp=now - 3600),
        "unsigned": bearer(jwt.encode(claims(settings, role), None, "none")),
        "wrong issuer": signed(settings, role, iss="someone-else"),
        "wrong audience": signed(settings, role, aud="another-app"),
        "unknown role": signed(settings, "superuser"),
        "no expiry": bearer(jwt.encode(
            {k: v for k, v in claims(settings, role).items() if k != "exp"},
            settings.jwt_key, "HS256")),
    }


@pytest.fixture
async def intake(sqlite_settings: Settings) -> AsyncIterator[RunningService]:
    async with running("intake", sqlite_settings) as service:
        yield service


@pytest.fixture
async def triage(sqlite_settings: Settings) -> AsyncIterator[RunningService]:
    async with running("triage", sqlite_settings) as service:
        yield service


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["status"] == status


async def test_queue_refuses_invalid_tokens_and_wrong_roles(
    triage: RunningService, sqlite_settings: Settings
) -> None:
    def queue(headers: dict[str, str]) -> Awaitable[httpx.Response]:
        return triage.client.get("/api/meldingen", headers=headers)

    assert PERMISSIONS["melding.list"] == {"meldpunt", "competent_authority"}  # API.md
    await assert_guarded(queue, sqlite_settings, allowed=PERMISSIONS["melding.list"], ok=200)


async def test_registration_on_a_reporters_behalf_refuses_invalid_tokens_and_wrong_roles(
    intake: RunningService, sqlite_settings: Settings
) -> None:
    def register(headers: dict[str, str]) -> Awaitable[httpx.Response]:
        return intake.client.post("/api/meldingen", json=REGISTRATION, headers=headers)

    allowed = PERMISSIONS["melding.register_for_reporter"]
    await assert_guarded(register, sqlite_settings, allowed=allowed, ok=None)
    assert intake.application.recorder.max_notification_id() is None  # nothing stored

    # The roles the authorization table allows do register.
    for role in sorted(allowed):
        response = await register(signed(sqlite_settings, role))
        assert response.status_code == 201, response.text


async def test_a_reporter_on_the_web_form_needs_no_token(intake: RunningService) -> None:
    response = await intake.client.post("/api/meldingen", json=MELDING)
    assert response.status_code == 201, response.text


async def assert_guarded(
    call: Callable[[dict[str, str]], Awaitable[httpx.Response]],
    settings: Settings,
    *,
    allowed: frozenset[str],
    ok: int | None,
) -> None:
    """401 for each invalid token, 403 for each role not allowed, `ok` for allowed ones
    (not tried when None: the caller tries those, as they change state)."""
    for reason, headers in invalid_tokens(settings, sorted(allowed)[0]).items():
        response = await call(headers)
        assert response.status_code == 401, (reason, response.text)
        assert_problem(response, 401)
    for role in STAFF_ROLES:
        if role not in allowed:
            response = await call(signed(settings, role))
            assert_problem(response, 403)
        elif ok is not None:
            response = await call(signed(settings, role))
            assert response.status_code == ok, (role, response.text)
