"""The console's staff tokens: a page's several calls for a person in a role share one
token signed in the last 30 seconds; after that, or in another role, a new one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.console.adapters.signing import REUSE_SECONDS, TokenSigner
from shared.clock import MovableClock
from shared.config import Settings


def _claims(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_a_token_is_signed_again_only_after_its_reuse_window(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    clock = MovableClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    signer = TokenSigner(Ed25519PrivateKey.generate(), settings, clock)
    first = signer.token(sub="mia", role="meldpunt")
    clock.advance(timedelta(seconds=REUSE_SECONDS - 1))
    assert signer.token(sub="mia", role="meldpunt") == first
    # Another role or another person: their own token.
    other_role = signer.token(sub="mia", role="competent_authority")
    assert _claims(other_role)["role"] == "competent_authority"
    assert _claims(signer.token(sub="carla", role="meldpunt"))["sub"] == "carla"
    # Past the window: a new one, its whole life ahead of it.
    clock.advance(timedelta(seconds=1))
    renewed = signer.token(sub="mia", role="meldpunt")
    assert renewed != first
    claims = _claims(renewed)
    assert claims["exp"] == int(clock.now().timestamp()) + settings.console_token_ttl_seconds
    # A clock set back (a test's, a corrected one): never a token from the future.
    clock.advance(timedelta(minutes=-10))
    assert _claims(signer.token(sub="mia", role="meldpunt"))["iat"] == int(
        clock.now().timestamp())
