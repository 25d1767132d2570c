"""Where intake finds the confidential adviser's public key(s)."""

from __future__ import annotations

import base64

from nacl.public import PrivateKey

from services.intake.adapters.sealing import IdentitySealer, key_id_of
from shared.config import ConfigurationError, Settings


def load_sealer(settings: Settings) -> IdentitySealer:
    if settings.adviser_public_key:
        lines = [settings.adviser_public_key]
    elif settings.adviser_public_key_file:
        lines = settings.adviser_public_key_file.read_text().split()
    elif settings.env == "production":
        raise ConfigurationError("production needs MELDINGEN_ADVISER_PUBLIC_KEY(_FILE)")
    else:
        lines = [_development_public_key(settings)]
    keys = [base64.b64decode(line) for line in lines]
    by_id = {key_id_of(key): key for key in keys}
    return IdentitySealer(by_id, current=key_id_of(keys[-1]))


def _development_public_key(settings: Settings) -> str:
    path = settings.var_dir / "secrets" / "adviser.pub"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        private = PrivateKey.generate()
        secret = settings.var_dir / "secrets" / "adviser.key"
        secret.write_bytes(base64.b64encode(bytes(private)))
        secret.chmod(0o600)
        path.write_text(base64.b64encode(bytes(private.public_key)).decode())
    return path.read_text().strip()
