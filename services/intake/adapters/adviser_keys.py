"""Where intake finds the confidential advisers' public keys, one set for each kind of
adviser: the environment, a file, or (in the embedded run) a development key pair
each, made under var/secrets."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from services.intake.adapters.sealing import IdentitySealer
from shared.config import ConfigurationError, Settings
from shared.contracts import Adviser
from shared.crypto import development_key_file, ensure_development_key, key_id_of, parse_public_keys

#: The settings that name each adviser's public keys (the value, then the file).
SETTING: dict[str, tuple[str, str]] = {
    "integrity": ("adviser_public_key", "adviser_public_key_file"),
    "conduct": ("conduct_adviser_public_key", "conduct_adviser_public_key_file"),
}


def load_sealers(settings: Settings) -> dict[Adviser, IdentitySealer]:
    return {adviser: load_sealer(settings, adviser) for adviser in get_args(Adviser)}


def load_sealer(settings: Settings, adviser: Adviser) -> IdentitySealer:
    value_name, file_name = SETTING[adviser]
    value: str | None = getattr(settings, value_name)
    file: Path | None = getattr(settings, file_name)
    if value:
        keys = parse_public_keys(value)
    elif file:
        keys = parse_public_keys(file.read_text())
    elif settings.env == "production":
        raise ConfigurationError(f"production needs MELDINGEN_{value_name.upper()}(_FILE)")
    else:
        keys = [development_public_key(settings, adviser)]
    return IdentitySealer({key_id_of(key): key for key in keys}, current=key_id_of(keys[-1]))


def development_public_key(settings: Settings, adviser: Adviser) -> bytes:
    passphrase = settings.secret(None, None, "adviser_passphrase", "token")
    return ensure_development_key(development_key_file(settings.var_dir, adviser), passphrase)
