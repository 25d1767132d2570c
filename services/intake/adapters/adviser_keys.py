"""Where intake finds the confidential adviser's public key(s): the environment, a
file, or (in the embedded run) a development key pair made under var/secrets."""

from __future__ import annotations

from services.intake.adapters.sealing import IdentitySealer
from shared.config import ConfigurationError, Settings
from shared.crypto import development_key_file, ensure_development_key, key_id_of, parse_public_keys


def load_sealer(settings: Settings) -> IdentitySealer:
    if settings.adviser_public_key:
        keys = parse_public_keys(settings.adviser_public_key)
    elif settings.adviser_public_key_file:
        keys = parse_public_keys(settings.adviser_public_key_file.read_text())
    elif settings.env == "production":
        raise ConfigurationError("production needs MELDINGEN_ADVISER_PUBLIC_KEY(_FILE)")
    else:
        keys = [development_public_key(settings)]
    return IdentitySealer({key_id_of(key): key for key in keys}, current=key_id_of(keys[-1]))


def development_public_key(settings: Settings) -> bytes:
    passphrase = settings.secret(None, None, "adviser_passphrase", "token")
    return ensure_development_key(development_key_file(settings.var_dir), passphrase)
