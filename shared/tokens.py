"""Signing staff tokens: EdDSA (Ed25519) JWTs with a `kid` header, and the development
keys that stand in for the console's and the identity provider's.

Only a signer holds a private key. The services verify with public keys (`shared/auth.py`
against a JWKS), so whoever takes one service's secrets cannot mint a token.
In development, `var/secrets/` holds `token-dev` (for `meldingen token` and the tests),
`token-console` (the console's, unless it is given its own) and `jwks.json` with both
public keys, which the services trust.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.config import ConfigurationError, Settings

DEV_KEY = "token-dev"
CONSOLE_KEY = "token-console"
DEV_JWKS = "jwks.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @classmethod
    def from_pem(cls, pem: str | bytes) -> SigningKey:
        data = pem.encode() if isinstance(pem, str) else pem
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ConfigurationError("a staff-token signing key must be an Ed25519 key")
        return cls(kid=_thumbprint(private), private=private)

    def public_jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": _public_x(self.private),
                "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})


def signing_key_file(path: Path) -> SigningKey:
    """A signer's private key from a PEM file (`openssl genpkey -algorithm ed25519`)."""
    try:
        return SigningKey.from_pem(path.read_bytes())
    except OSError as exc:
        raise ConfigurationError(f"the signing key {path} cannot be read: {exc.strerror}"
                                 ) from None
    except ValueError:
        raise ConfigurationError(f"{path} holds no PEM private key") from None


def development_signing_key(settings: Settings, name: str) -> SigningKey:
    """One of the development keys under var/secrets (made on first use)."""
    if settings.env != "development":
        raise ConfigurationError(
            "development signing keys do not exist in production: staff tokens come from "
            "the console or the organisation's identity provider")
    return SigningKey.from_pem(settings.secret(None, None, name, "ed25519"))


def development_jwks(settings: Settings) -> Path:
    """var/secrets/jwks.json with the public keys of both development keys."""
    keys = [development_signing_key(settings, name).public_jwk()
            for name in (DEV_KEY, CONSOLE_KEY)]
    path = settings.var_dir / "secrets" / DEV_JWKS
    content = json.dumps({"keys": keys}, indent=2, sort_keys=True)
    if not path.exists() or path.read_text() != content:
        # Every service writes the same content: whichever rename lands last is right.
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        tmp.write_text(content)
        tmp.chmod(0o600)
        os.replace(tmp, path)
    return path


def staff_claims(settings: Settings, *, sub: str, role: str, ttl: int | None = None
                 ) -> dict[str, Any]:
    now = int(time.time())
    lifetime = min(ttl or settings.token_ttl_seconds, settings.token_ttl_seconds)
    return {"sub": sub, "role": role, "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
            "iat": now, "exp": now + lifetime}


def _public_x(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _thumbprint(private: Ed25519PrivateKey) -> str:
    """The key's RFC 7638 thumbprint: a `kid` that any holder of the public key can check."""
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _public_x(private)},
                         separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(members.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
