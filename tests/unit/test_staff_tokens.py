"""Staff tokens are verified with public keys only: the development JWKS holds the
`token-dev` and `token-console` keys, a JWKS URL is fetched, kept, and refetched on an
unknown `kid` (but not for every made-up one), and production refuses `meldingen token`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import InvalidToken, TokenVerifier, issue_token
from shared.config import ConfigurationError, Settings
from shared.jwks import KeySet
from shared.tokens import (
    CONSOLE_KEY,
    DEV_KEY,
    SigningKey,
    development_jwks,
    development_signing_key,
    staff_claims,
)

ROOT = Path(__file__).resolve().parents[2]


def new_key() -> SigningKey:
    return SigningKey.from_pem(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


class JwksServer:
    """A real HTTP server answering a JWKS document, counting the requests."""

    def __init__(self) -> None:
        self.keys: list[SigningKey] = []
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                body = json.dumps({"keys": [k.public_jwk() for k in owner.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.close()


def test_development_jwks_trusts_both_development_keys(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    path = development_jwks(settings)
    kids = {key["kid"] for key in json.loads(path.read_text())["keys"]}
    dev, console = (development_signing_key(settings, n) for n in (DEV_KEY, CONSOLE_KEY))
    assert kids == {dev.kid, console.kid}
    for name in (DEV_KEY, CONSOLE_KEY, "jwks.json"):
        assert stat.S_IMODE((tmp_path / "var" / "secrets" / name).stat().st_mode) == 0o600
    assert "PRIVATE" not in path.read_text() and '"d"' not in path.read_text()
    verifier = TokenVerifier(settings)
    for key in (dev, console):
        token = key.sign(staff_claims(settings, sub="ann", role="meldpunt"))
        assert verifier.verify(token).sub == "ann"


def test_a_jwks_url_is_fetched_kept_and_refetched_on_an_unknown_kid(
    tmp_path: Path, jwks_server: JwksServer
) -> None:
    settings = Settings(env="production", jwks_url=jwks_server.url, cipher_key="k",
                        receipt_key="r", var_dir=tmp_path / "var")
    clock = [1000.0]
    keys = KeySet(file=None, urls=settings.jwks_urls, refetch_seconds=30,
                  monotonic=lambda: clock[0])
    verifier = TokenVerifier(settings, keys=keys)
    first = new_key()
    jwks_server.keys = [first]
    token = first.sign(staff_claims(settings, sub="ann", role="auditor"))
    assert verifier.may_block(token)  # not known yet: fetched in a worker thread
    assert verifier.verify(token).role == "auditor"
    assert not verifier.may_block(token)
    for _ in range(5):
        verifier.verify(token)
    assert jwks_server.requests == 1  # kept, not fetched per token

    # Made-up kids: at most one refetch per interval, not one per token.
    for _ in range(2):
        clock[0] += 31
        for _ in range(20):
            with pytest.raises(InvalidToken):
                verifier.verify(new_key().sign(staff_claims(settings, sub="x",
                                                            role="auditor")))
    assert jwks_server.requests == 3

    # The signer rotates: once the interval passed, the new key is fetched and trusted.
    rotated = new_key()
    jwks_server.keys = [first, rotated]
    clock[0] += 31
    assert verifier.verify(rotated.sign(staff_claims(settings, sub="bo", role="auditor"))
                           ).sub == "bo"
    assert jwks_server.requests == 4
    assert not (tmp_path / "var" / "secrets").exists()  # production generates nothing


def test_production_has_no_development_keys(tmp_path: Path) -> None:
    settings = Settings(env="production", jwks_url="https://idp.example.org/jwks",
                        cipher_key="k", receipt_key="r", var_dir=tmp_path / "var")
    with pytest.raises(ConfigurationError, match="development only"):
        issue_token(settings, sub="ann", role="meldpunt")
    with pytest.raises(ConfigurationError):
        development_signing_key(settings, DEV_KEY)
    assert not (tmp_path / "var").exists()


def test_meldingen_token_is_refused_in_production(tmp_path: Path) -> None:
    """With every secret production needs, `meldingen token` still makes no token."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}')
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    env.update(MELDINGEN_ENV="production", MELDINGEN_VAR_DIR=str(tmp_path / "var"),
               MELDINGEN_JWKS_FILE=str(jwks), MELDINGEN_CIPHER_KEY="k",
               MELDINGEN_RECEIPT_KEY="r")
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "token", "--role", "meldpunt", "--sub", "a"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "development only" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()
