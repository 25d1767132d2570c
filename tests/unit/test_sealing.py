"""The adviser's key file and sealed identities (shared/crypto.py, intake's sealer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from services.intake.adapters.sealing import IdentitySealer
from shared.crypto import (
    KeyFileError,
    WrongPassphrase,
    b64,
    encrypt_private_key,
    ensure_development_key,
    key_id_of,
    open_key_file,
    open_sealed,
    parse_public_keys,
    read_key_header,
    unb64,
    write_key_file,
)

PASSPHRASE = "correct horse battery staple"


def make_key_file(path: Path) -> PrivateKey:
    private = PrivateKey.generate()
    write_key_file(path, encrypt_private_key(private, PASSPHRASE, "interactive"))
    return private


def test_key_file_opens_with_its_passphrase_only(tmp_path: Path) -> None:
    path = tmp_path / "adviser.key"
    private = make_key_file(path)

    # The file is owner-only and holds the private key only encrypted.
    assert path.stat().st_mode & 0o777 == 0o600
    assert b64(bytes(private)).encode() not in path.read_bytes()
    assert read_key_header(path)["key_id"] == key_id_of(bytes(private.public_key))

    assert bytes(open_key_file(path, PASSPHRASE)) == bytes(private)
    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        open_key_file(path, "wrong")


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "adviser.key"
    make_key_file(path)
    with pytest.raises(FileExistsError):
        make_key_file(path)


def test_a_key_file_whose_key_id_was_changed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "adviser.key"
    make_key_file(path)
    content = json.loads(path.read_bytes())
    content["key_id"] = "0" * 16
    path.write_text(json.dumps(content))
    with pytest.raises(KeyFileError, match="does not belong"):
        open_key_file(path, PASSPHRASE)


def test_something_else_is_not_a_key_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(KeyFileError):
        read_key_header(path)


def test_sealed_identity_opens_with_the_private_key_of_its_key_id() -> None:
    old, current = PrivateKey.generate(), PrivateKey.generate()
    keys = {key_id_of(bytes(k.public_key)): bytes(k.public_key) for k in (old, current)}
    sealer = IdentitySealer(keys, current=key_id_of(bytes(current.public_key)))

    sealed = sealer.seal({"name": "Anna", "email": "anna@example.org"})

    assert sealed["key_id"] == key_id_of(bytes(current.public_key))
    assert b"Anna" not in unb64(sealed["sealed"])
    opened = json.loads(open_sealed(current, unb64(sealed["sealed"])))
    assert opened == {"name": "Anna", "email": "anna@example.org"}
    with pytest.raises(CryptoError):
        open_sealed(old, unb64(sealed["sealed"]))
    # Both keys are known: meldingen sealed to the old one are still accepted.
    assert sealer.knows(key_id_of(bytes(old.public_key)))


def test_sealer_accepts_only_what_looks_like_a_sealed_box() -> None:
    assert not IdentitySealer.well_formed("not base64!")
    assert not IdentitySealer.well_formed(b64(b"x" * 48))  # the overhead, no message
    assert not IdentitySealer.well_formed(b64(b"x" * 5000))  # more than an identity needs
    assert IdentitySealer.well_formed(b64(b"x" * 80))


def test_public_keys_are_parsed_in_order_with_comments() -> None:
    first, second = (bytes(PrivateKey.generate().public_key) for _ in range(2))
    text = f"# 2025 key\n{b64(first)}\n{b64(second)}  # 2026 key\n"
    assert parse_public_keys(text) == [first, second]
    assert parse_public_keys(f"{b64(first)},{b64(second)}") == [first, second]
    with pytest.raises(ValueError, match="32 bytes"):
        parse_public_keys(b64(b"short"))


def test_development_key_is_made_once(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "adviser-key.json"
    public = ensure_development_key(path, "dev passphrase")
    assert ensure_development_key(path, "dev passphrase") == public
    assert bytes(open_key_file(path, "dev passphrase").public_key) == public
