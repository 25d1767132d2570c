"""The console's staff tokens: short-lived EdDSA (Ed25519) JWTs for the signed-in
person, and the public key set the services verify them with (`/.well-known/jwks.json`).

Claims `sub`, `role`, `iat`, `exp`, `iss`, `aud`; header `kid` (the key's RFC 7638
thumbprint), so that a service refetches the set when it meets a key it does not know.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.clock import Clock
from shared.config import ConfigurationError, Settings


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """MELDINGEN_CONSOLE_SIGNING_KEY(_FILE): a PEM private key, or a base64 seed of
    32 bytes; in development one (PEM) is generated into var/secrets/token-console, whose
    public key the development JWKS that the services trust holds (shared/tokens.py)."""
    given, file = settings.console_signing_key, settings.console_signing_key_file
    if given is None and file is None and settings.env == "production":
        raise ConfigurationError("production needs MELDINGEN_CONSOLE_SIGNING_KEY(_FILE)")
    text = settings.secret(given, file, "token-console", "ed25519")
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError("MELDINGEN_CONSOLE_SIGNING_KEY is not an Ed25519 key")
        return key
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        raise ConfigurationError(
            "MELDINGEN_CONSOLE_SIGNING_KEY is neither a PEM key nor a 32-byte base64 seed"
        ) from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def public_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    thumbprint = hashlib.sha256(
        json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
    return {**members, "kid": _b64url(thumbprint), "use": "sig", "alg": "EdDSA"}


#: How long a token signed for a person in a role is handed out again (at most a
#: fifth of its life): a page makes several calls and a signature costs more than the
#: rest of a call's preparation, while the services verify each token once.
REUSE_SECONDS = 30


class TokenSigner:
    def __init__(self, key: Ed25519PrivateKey, settings: Settings, clock: Clock) -> None:
        self._key = key
        self._jwk = public_jwk(key)
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = settings.console_token_ttl_seconds
        self._clock = clock
        self._reuse = min(REUSE_SECONDS, self._ttl // 5)
        #: (sub, role) -> (issued at, token); one per person and role signed in.
        self._signed: dict[tuple[str, str], tuple[int, str]] = {}

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk]}

    def token(self, *, sub: str, role: str) -> str:
        """A token for `sub` in `role`: the one signed for them in the last
        `REUSE_SECONDS`, else a new one (so it has most of its life ahead of it)."""
        now = int(self._clock.now().timestamp())
        signed = self._signed.get((sub, role))
        if signed is not None and 0 <= now - signed[0] < self._reuse:
            return signed[1]
        token = self._sign(sub, role, now)
        if len(self._signed) >= 10_000:  # staff signed in at most; never unbounded
            self._signed.clear()
        self._signed[(sub, role)] = (now, token)
        return token

    def _sign(self, sub: str, role: str, now: int) -> str:
        claims = {"sub": sub, "role": role, "iss": self._issuer, "aud": self._audience,
                  "iat": now, "exp": now + self._ttl}
        return jwt.encode(claims, self._key, algorithm="EdDSA",
                          headers={"kid": self._jwk["kid"]})
