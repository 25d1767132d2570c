"""The bus's secrets for a deployment (`meldingen nats secrets deploy/secrets`): each
NATS user's nkey seed, the servers' authorization block naming their public keys,
each service's event-signing key, every source's public key, the JetStream store
key, and each service's keyring secret with every service's keyring public key
(per-melding data keys: docs/privacy.md). Files that exist are kept (a second run
rotates nothing); what follows from them (the authorization block, the public keys)
is written again."""

from __future__ import annotations

import secrets
from pathlib import Path

from shared.config import SERVICES
from shared.crypto import b64
from shared.datakeys import ServiceKeys
from shared.devsecrets import MAKERS
from shared.messaging.credentials import public_key
from shared.messaging.permissions import authorization, users
from shared.messaging.signing import EventSigner


def write(directory: Path, stream: str) -> list[Path]:
    """Make what is missing under `directory` (0600 files); returns what it wrote."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    written: list[Path] = []

    def keep(name: str, make: str) -> str:
        path = directory / name
        if not path.exists():
            _write(path, MAKERS[make]() + "\n")
            written.append(path)
        return path.read_text().strip()

    seeds = {user: keep(f"nats_seed_{user}", "nkey") for user in users()}
    signers = {s: EventSigner(keep(f"event_signing_key_{s}", "key32")) for s in SERVICES}
    keyrings = {s: ServiceKeys(keep(f"keyring_key_{s}", "key32")) for s in SERVICES}
    derived = {
        "nats_authorization.conf":
            authorization({user: public_key(seed) for user, seed in seeds.items()}, stream),
        "event_public_keys": "".join(f"{s} {signer.public_key}\n"
                                     for s, signer in signers.items()),
        "keyring_public_keys": "".join(f"{s} {b64(keys.public_key)}\n"
                                       for s, keys in keyrings.items()),
    }
    for name, text in derived.items():
        _write(directory / name, text)
        written.append(directory / name)
    store_key = directory / "nats_store_key.conf"
    if not store_key.exists():
        # JetStream's encryption at rest, included in the servers' jetstream block.
        _write(store_key, f'key: "{secrets.token_hex(32)}"\n')
        written.append(store_key)
    return written


def _write(path: Path, text: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)
