"""The four services trust the console's staff tokens: signed with the console's key,
verified with the public keys they were given (the development JWKS holds the
console's), and nothing else: an expired token or one signed by any other key is 401."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.console.adapters.signing import TokenSigner, load_signing_key
from shared.clock import MovableClock
from shared.config import Settings
from tests.support import running

# One staff call per service, for a role that may make it (404: authorised, no such id).
CALLS = {
    "intake": ("confidential_adviser",
               "/api/meldingen/00000000-0000-0000-0000-000000000000/sealed-identity", 404),
    "triage": ("meldpunt", "/api/meldingen", 200),
    "investigation": ("competent_authority", "/api/cases", 200),
    "reporting": ("auditor", "/api/reports/annual?year=2026", 200),
}


@pytest.mark.parametrize("service", sorted(CALLS))
async def test_a_service_accepts_the_consoles_token_and_refuses_expired_and_foreign_ones(
    service: str, sqlite_settings: Settings
) -> None:
    role, path, expected = CALLS[service]
    clock = MovableClock(datetime.now(UTC))
    console = TokenSigner(load_signing_key(sqlite_settings), sqlite_settings, clock)
    stranger = TokenSigner(Ed25519PrivateKey.generate(), sqlite_settings, clock)
    good = console.token(sub="mia", role=role)
    foreign = stranger.token(sub="mia", role=role)
    clock.advance(timedelta(seconds=-2 * sqlite_settings.console_token_ttl_seconds - 60))
    expired = console.token(sub="mia", role=role)

    async with running(service, sqlite_settings) as svc:
        async def status(token: str) -> int:
            response = await svc.client.get(path, headers={"Authorization": f"Bearer {token}"})
            return response.status_code

        for _ in range(200):  # reporting answers 503 until its figures are rebuilt
            if await status(good) != 503:
                break
            await asyncio.sleep(0.05)
        assert await status(good) == expected
        assert await status(foreign) == 401
        assert await status(expired) == 401
