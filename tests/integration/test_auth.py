"""Staff authentication: a missing, forged, expired or otherwise invalid bearer token is
401 (tokens are EdDSA, verified against the trusted JWKS only: another key, an HS256
token made with the public key, a missing iat or sub, an empty sub or a lifetime beyond
the TTL are all refused), a valid token with the wrong role is 403, on triage's queue
and on intake's registration on a reporter's behalf. Nothing is stored for a refused
registration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import STAFF_ROLES
from shared.authz import PERMISSIONS
from shared.config import Settings
from shared.tokens import DEV_KEY, SigningKey, development_signing_key
from tests.support import MELDING, RunningService, running

PROBLEM_JSON = "application/problem+json"
# On a reporter's behalf; the channel follows from the role (an adviser names theirs).
REGISTRATION = {**MELDING, "received_how": "oral"}
OWN_CHANNEL = {"confidential_adviser": {"channel": "confidential_adviser_conduct"}}


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def claims(settings: Settings, role: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "tester", "role": role, "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience, "iat": now, "exp": now + 600, **changes}


def signed(settings: Settings, role: str, **changes: Any) -> dict[str, str]:
    key = development_signing_key(settings, DEV_KEY)
    return bearer(key.sign(claims(settings, role, **changes)))


def invalid_tokens(settings: Settings, role: str) -> dict[str, dict[str, str]]:
    """Every way a token may fail, each for a role that would otherwise be allowed."""
    now = int(time.time())
    trusted = development_signing_key(settings, DEV_KEY)
    valid = trusted.sign(claims(settings, role))
    other = SigningKey.from_pem(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    public_pem = trusted.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    without = claims(settings, role)
    return {
        "none": {},
        "not bearer": {"Authorization": f"Basic {valid}"},
        "garbage": bearer("not-a-jwt"),
        "other key": bearer(other.sign(claims(settings, role))),
        # Another key posing as the trusted one: its kid, not its signature.
        "forged": bearer(jwt.encode(claims(settings, role), other.private, "EdDSA",
                                    headers={"kid": trusted.kid})),
        # HS256 "signed" with the public key, the classic algorithm confusion.
        "hs256 with the public key": bearer(_hs256(claims(settings, role), public_pem,
                                                   trusted.kid)),
        "no kid": bearer(jwt.encode(claims(settings, role), trusted.private, "EdDSA")),
        "expired": signed(settings, role, iat=now - 7200, exp=now - 3600),
        "unsigned": bearer(jwt.encode(claims(settings, role), None, "none",
                                      headers={"kid": trusted.kid})),
        "wrong issuer": signed(settings, role, iss="someone-else"),
        "wrong audience": signed(settings, role, aud="another-app"),
        "unknown role": signed(settings, "superuser"),
        "empty sub": signed(settings, role, sub=""),
        "blank sub": signed(settings, role, sub="   "),
        "exp beyond the ttl": signed(settings, role, exp=now + settings.token_ttl_seconds
                                     + 3600),
        "lifetime beyond the ttl": signed(settings, role, iat=now - settings.token_ttl_seconds,
                                          exp=now + 600),
        "no expiry": bearer(trusted.sign({k: v for k, v in without.items() if k != "exp"})),
        "no iat": bearer(trusted.sign({k: v for k, v in without.items() if k != "iat"})),
        "no sub": bearer(trusted.sign({k: v for k, v in without.items() if k != "sub"})),
    }


def _hs256(payload: dict[str, Any], secret: bytes, kid: str) -> str:
    """An HS256 token made by hand: PyJWT itself refuses a PEM key as an HMAC secret."""
    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = (part(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
                     + b"." + part(json.dumps(payload).encode()))
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + part(signature)).decode()


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
        response = await intake.client.post(
            "/api/meldingen", json={**REGISTRATION, **OWN_CHANNEL.get(role, {})},
            headers=signed(sqlite_settings, role))
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
