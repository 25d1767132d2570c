"""Key formats shared by intake and the confidential adviser's CLI.

- The adviser's key pair is Curve25519 (libsodium). Its `key_id` is a short hash of
  the public key, so every sealed identity names the key that opens it.
- The private key lives only in a key file, encrypted under a passphrase: argon2id
  derives a key that encrypts the private key with secretbox (XSalsa20-Poly1305).
  The public key and key_id sit beside it in the clear, so a tool can tell which
  file it needs before asking for the passphrase.
- Identities are sealed boxes: anyone with the public key can seal, only the
  private key opens, and nothing links a box to its sender.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.pwhash import argon2id
from nacl.secret import SecretBox

KEY_FILE_FORMAT = "meldingen-adviser-key"
SEAL_OVERHEAD = 48  # the ephemeral public key (32 bytes) and the MAC (16)
MAX_SEALED_BYTES = 2048  # a sealed {name, email, phone} is far smaller

#: argon2id cost per strength: (opslimit, memlimit). `interactive` costs ~60 ms and
#: 64 MiB, `moderate` ~0.5 s and 256 MiB, `sensitive` seconds and 1 GiB.
STRENGTHS: dict[str, tuple[int, int]] = {
    "interactive": (argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE),
    "moderate": (argon2id.OPSLIMIT_MODERATE, argon2id.MEMLIMIT_MODERATE),
    "sensitive": (argon2id.OPSLIMIT_SENSITIVE, argon2id.MEMLIMIT_SENSITIVE),
}


class KeyFileError(Exception):
    """The file is not an adviser key file, or it was tampered with."""


class WrongPassphrase(KeyFileError):
    """The passphrase does not open the key file."""


def key_id_of(public_key: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def parse_public_keys(text: str) -> list[bytes]:
    """Public keys, base64, one per line or separated by commas; `#` starts a comment.
    The last one is the current key; the others still identify older meldingen."""
    keys: list[bytes] = []
    for line in text.splitlines():
        for word in line.split("#", 1)[0].replace(",", " ").split():
            key = unb64(word)
            if len(key) != PublicKey.SIZE:
                raise ValueError("an adviser public key is 32 bytes, base64")
            keys.append(key)
    if not keys:
        raise ValueError("no adviser public key given")
    return keys


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return SealedBox(PublicKey(public_key)).encrypt(plaintext)


def open_sealed(private_key: PrivateKey, sealed: bytes) -> bytes:
    """Raises nacl's CryptoError if the box was not sealed to this key or was altered."""
    return SealedBox(private_key).decrypt(sealed)


def looks_sealed(sealed: bytes) -> bool:
    """What can be checked without the private key: room for the overhead and a
    non-empty message, and no more than an identity needs."""
    return SEAL_OVERHEAD < len(sealed) <= MAX_SEALED_BYTES


def derive_key(key_b64: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose from a service secret (keyed BLAKE2b), so one
    secret can serve several purposes without one use weakening another."""
    return blake2b(purpose.encode(), key=unb64(key_b64), digest_size=32,
                   encoder=RawEncoder)


def encrypt_private_key(
    private_key: PrivateKey, passphrase: str, strength: str = "moderate"
) -> bytes:
    """The key file's content (JSON)."""
    opslimit, memlimit = STRENGTHS[strength]
    salt = secrets.token_bytes(argon2id.SALTBYTES)
    box_key = argon2id.kdf(SecretBox.KEY_SIZE, passphrase.encode(), salt,
                           opslimit=opslimit, memlimit=memlimit)
    public = bytes(private_key.public_key)
    content = {
        "format": KEY_FILE_FORMAT,
        "version": 1,
        "key_id": key_id_of(public),
        "public_key": b64(public),
        "kdf": {"name": "argon2id", "opslimit": opslimit, "memlimit": memlimit,
                "salt": b64(salt)},
        "secretbox": b64(SecretBox(box_key).encrypt(bytes(private_key))),
    }
    return json.dumps(content, indent=2).encode()


def write_key_file(path: Path, content: bytes) -> None:
    """Create the file owner-only; refuse to overwrite a key (it may be the only copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as file:
        path.chmod(0o600)
        file.write(content)


def read_key_header(path: Path) -> dict[str, Any]:
    """The clear part of a key file: `key_id` and `public_key`."""
    try:
        content = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"{path} is not a readable adviser key file") from exc
    if not isinstance(content, dict) or content.get("format") != KEY_FILE_FORMAT:
        raise KeyFileError(f"{path} is not an adviser key file")
    return content


def open_key_file(path: Path, passphrase: str) -> PrivateKey:
    content = read_key_header(path)
    try:
        kdf = content["kdf"]
        box_key = argon2id.kdf(SecretBox.KEY_SIZE, passphrase.encode(), unb64(kdf["salt"]),
                               opslimit=int(kdf["opslimit"]), memlimit=int(kdf["memlimit"]))
        sealed_key = unb64(content["secretbox"])
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyFileError(f"{path} is damaged") from exc
    try:
        private_key = PrivateKey(SecretBox(box_key).decrypt(sealed_key))
    except CryptoError:
        raise WrongPassphrase(f"the passphrase does not open {path}") from None
    if key_id_of(bytes(private_key.public_key)) != content.get("key_id"):
        raise KeyFileError(f"{path}: the key_id does not belong to the private key")
    return private_key


def development_key_file(var_dir: Path, adviser: str = "integrity") -> Path:
    """Where the embedded run keeps an adviser's key (`integrity` or `conduct`); its
    passphrase is the development secret `adviser_passphrase` beside it."""
    name = "adviser-key.json" if adviser == "integrity" else f"adviser-{adviser}-key.json"
    return var_dir / "secrets" / name


def ensure_development_key(path: Path, passphrase: str) -> bytes:
    """The embedded run's adviser key pair: created once (cheap argon2id, since its
    passphrase sits beside it under var/secrets); returns the public key."""
    if not path.exists():
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        write_key_file(tmp, encrypt_private_key(PrivateKey.generate(), passphrase,
                                                "interactive"))
        try:
            path.hardlink_to(tmp)  # fails if another process made one first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return unb64(read_key_header(path)["public_key"])
