"""Creating development secrets under var/secrets/: made on first use, read afterwards.

Only `Settings` calls this, and only outside production (where a missing secret is a
ConfigurationError instead)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from pathlib import Path

import nkeys


def _token() -> str:
    return secrets.token_urlsafe(48)


def _key32() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _nkey() -> str:
    """A NATS user's nkey seed (`SU...`); the server only ever sees its public key."""
    return str(nkeys.encode_seed(secrets.token_bytes(32), nkeys.PREFIX_BYTE_USER).decode())


def _ed25519_pem() -> str:
    """A private signing key (PKCS#8 PEM): the development staff-token keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()


MAKERS: dict[str, Callable[[], str]] = {
    "token": _token, "key32": _key32, "nkey": _nkey, "ed25519": _ed25519_pem,
}


def development_secret(path: Path, make: str) -> str:
    """Read or create (atomically, owner-only) a development secret.

    `make` names the generator: "token" (url-safe), "key32" (32 random bytes, base64)
    "nkey" (a NATS user seed) or "ed25519" (a private key, PEM)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = MAKERS[make]()
    tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    tmp.write_text(value)
    tmp.chmod(0o600)
    try:
        # link() fails if another process created it first: then theirs wins.
        path.hardlink_to(tmp)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()
