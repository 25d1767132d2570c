"""The public keys staff tokens are verified with: a JWKS file and/or JWKS URLs.

Keys are looked up by `kid`. An unknown `kid` re-reads the file and refetches the URLs
(a signer rotated its key), but at most once per `refetch_seconds`: made-up kids must not
turn into a stream of requests. A source that cannot be read keeps the keys it gave.
Only EdDSA and RS256 keys are taken, each verified with its own algorithm only.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import jwt

from shared.config import ConfigurationError

log = logging.getLogger("meldingen.auth")
ALGORITHMS = ("EdDSA", "RS256")


class KeySet:
    def __init__(
        self,
        *,
        file: Path | None,
        urls: Sequence[str],
        refetch_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if file is None and not urls:
            raise ConfigurationError("staff tokens need MELDINGEN_JWKS_FILE or MELDINGEN_JWKS_URL")
        self._file = file
        self._urls = list(urls)
        self._refetch = refetch_seconds
        self._monotonic = monotonic
        self._keys: dict[str, jwt.PyJWK] = {}
        self._by_source: dict[str, dict[str, jwt.PyJWK]] = {}
        self._last_refresh: float | None = None
        self._lock = threading.Lock()
        if file is not None:
            if not file.is_file():
                raise ConfigurationError(f"MELDINGEN_JWKS_FILE {file} cannot be read")
            self._load(str(file), self._read_file)

    @property
    def remote(self) -> bool:
        """Whether a refresh may wait on the network."""
        return bool(self._urls)

    def known(self, kid: str) -> jwt.PyJWK | None:
        return self._keys.get(kid)

    def may_refresh(self) -> bool:
        last = self._last_refresh
        return last is None or self._monotonic() - last >= self._refetch

    def find(self, kid: str) -> jwt.PyJWK | None:
        """The key for `kid`, refreshing the sources once if it is unknown (and allowed)."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            if kid not in self._keys and self.may_refresh():
                self._last_refresh = self._monotonic()
                if self._file is not None:
                    self._load(str(self._file), self._read_file)
                for url in self._urls:
                    self._load(url, _fetch)
            return self._keys.get(kid)

    def _read_file(self, _: str) -> Any:
        assert self._file is not None
        return json.loads(self._file.read_text())

    def _load(self, source: str, read: Callable[[str], Any]) -> None:
        try:
            document = read(source)
        except (OSError, ValueError, httpx.HTTPError) as exc:
            log.warning("key set not read", extra={"source": source,
                                                   "error": type(exc).__name__})
            return
        self._by_source[source] = _usable_keys(document, source)
        merged: dict[str, jwt.PyJWK] = {}
        for keys in self._by_source.values():
            merged.update(keys)
        self._keys = merged


def _fetch(url: str) -> Any:
    response = httpx.get(url, timeout=5)
    response.raise_for_status()
    return response.json()


def _usable_keys(document: Any, source: str) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys", []) if isinstance(document, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig" or "d" in entry:
            continue  # an encryption key, or a private key published by mistake
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
        if key.algorithm_name in ALGORITHMS:
            keys[entry["kid"]] = key
    if not keys:
        log.warning("key set holds no usable key", extra={"source": source})
    return keys
