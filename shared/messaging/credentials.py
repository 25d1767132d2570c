"""NATS credentials: nkey seeds (secret, one per user) and their public keys (what
the server's authorization block names), and the TLS context for tls:// servers."""

from __future__ import annotations

import ssl

import nkeys

from shared.config import Settings
from shared.messaging.permissions import authorization, users


def public_key(seed: str) -> str:
    return str(nkeys.from_seed(bytearray(seed.encode())).public_key.decode())


def development_authorization(settings: Settings) -> str:
    """The authorization block for the users whose seeds are made under var/secrets/
    (the embedded run and the tests)."""
    keys = {user: public_key(settings.nats_seed_of(user)) for user in users()}
    return authorization(keys, settings.stream)


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """Verify the servers against the configured CA; None without TLS."""
    if settings.nats_ca_file is None and not any(
            url.startswith("tls://") for url in settings.nats_servers):
        return None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH,
                                         cafile=settings.nats_ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
