"""Signing in through the organisation's identity provider: OpenID Connect's
authorization code flow with PKCE (authlib), the ID token checked against the
provider's keys. The provider says who the person is; the directory what they may do."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import authlib.deprecate
import httpx
import jwt

with warnings.catch_warnings():
    # Authlib announces a move to httpx2 on import (its own filter, set when
    # authlib.deprecate loads, says always); this version works with httpx.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from services.console.adapters.links import base_url
from shared.config import Settings

SCOPE = "openid email profile"
ID_TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]


class OidcFailed(Exception):
    """The provider's answer cannot be trusted or used (the reason is for the log)."""


@dataclass(frozen=True)
class Started:
    url: str
    #: What the callback must find back in the session.
    state: dict[str, str]


class PendingFlows:
    """Sign-ins under way at the provider, by their `state`, each bound to the browser
    that started it (a cookie of its own: the session's is SameSite=Strict and so does
    not come along when the provider sends the browser back)."""

    def __init__(self, *, keep_for: float = 600, at_most: int = 10_000) -> None:
        self._flows: dict[str, tuple[float, str, dict[str, str]]] = {}
        self._keep_for = keep_for
        self._at_most = at_most
        self._lock = threading.Lock()

    def add(self, started: Started) -> str:
        """Remembers the flow; returns the binding to give the browser."""
        binding = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            for state in [s for s, (at, _, _) in self._flows.items()
                          if now - at > self._keep_for]:
                del self._flows[state]
            if len(self._flows) < self._at_most:
                self._flows[started.state["state"]] = (now, binding, started.state)
        return binding

    def take(self, state: str, binding: str | None) -> dict[str, str]:
        """The flow's secrets if this browser started it (once), else {}."""
        with self._lock:
            found = self._flows.pop(state, None)
        if found is None or binding is None:
            return {}
        at, expected, flow = found
        if time.monotonic() - at > self._keep_for or not secrets.compare_digest(
                expected, binding):
            return {}
        return flow


class OidcClient:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 match_claim: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self.redirect_uri = redirect_uri
        self.match_claim = match_claim
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self.pending = PendingFlows()

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcClient | None:
        if not (settings.console_oidc_issuer and settings.console_oidc_client_id):
            return None
        secret = settings.secret(settings.console_oidc_client_secret,
                                 settings.console_oidc_client_secret_file,
                                 "console_oidc_client_secret", "token")
        return cls(issuer=settings.console_oidc_issuer,
                   client_id=settings.console_oidc_client_id, client_secret=secret,
                   redirect_uri=f"{base_url(settings)}/signin/oidc/callback",
                   match_claim=settings.console_oidc_match_claim)

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.get(f"{self.issuer}/.well-known/openid-configuration")
                answer.raise_for_status()
                metadata = answer.json()
            if metadata.get("issuer", "").rstrip("/") != self.issuer:
                raise OidcFailed("the provider names another issuer")
            self._metadata = metadata
            self._jwks = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=True)
        return self._metadata

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(self.client_id, self._secret, scope=SCOPE,
                                 redirect_uri=self.redirect_uri,
                                 code_challenge_method="S256", timeout=10)

    async def start(self) -> Started:
        metadata = await self.metadata()
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(24)
        async with self._client() as client:
            url, state = client.create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        return Started(url, {"state": state, "nonce": nonce, "verifier": verifier})

    async def finish(self, expected: dict[str, str], *, state: str, code: str) -> str:
        """The value of the matching claim (`sub` or `email`) of the person signed in."""
        if not expected or not secrets.compare_digest(expected.get("state", ""), state):
            raise OidcFailed("state does not match")
        metadata = await self.metadata()
        async with self._client() as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"], grant_type="authorization_code", code=code,
                    code_verifier=expected["verifier"])
            except Exception as exc:  # noqa: BLE001 - any refusal by the provider
                raise OidcFailed(f"token refused: {type(exc).__name__}") from None
        claims = await asyncio.to_thread(self._verify, token.get("id_token", ""))
        if not secrets.compare_digest(str(claims.get("nonce", "")), expected["nonce"]):
            raise OidcFailed("nonce does not match")
        if self.match_claim == "email" and claims.get("email_verified") is False:
            raise OidcFailed("the e-mail address is not verified")
        value = claims.get(self.match_claim)
        if not isinstance(value, str) or not value:
            raise OidcFailed(f"no {self.match_claim} claim")
        return value

    def _verify(self, id_token: str) -> dict[str, Any]:
        assert self._jwks is not None
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token).key
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=ID_TOKEN_ALGORITHMS, audience=self.client_id,
                issuer=self.issuer, options={"require": ["exp", "iat", "sub"]})
        except jwt.PyJWTError as exc:
            raise OidcFailed(f"ID token refused: {type(exc).__name__}") from None
        return claims
