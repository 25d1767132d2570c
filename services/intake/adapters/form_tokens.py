"""Form tokens against cross-site request forgery, without a cookie.

The form carries a hidden token: a timestamp and a random nonce, signed with a key derived
from the receipt key. A post is accepted only with a token that this service signed less
than `ttl` seconds ago and that was not used before, so a forged cross-site post (which
cannot read our page) fails, and a reloaded receipt page cannot file the melding twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

_PURPOSE = b"meldingen web form token v1"
_SIG_BYTES = 16


class FormTokens:
    def __init__(
        self,
        receipt_key_b64: str,
        *,
        ttl: float = 4 * 3600,
        now: Callable[[], float] = time.time,
        remember: int = 100_000,
    ) -> None:
        # A key of its own (domain separation): a form token never helps with receipts.
        self._key = hmac.new(base64.b64decode(receipt_key_b64), _PURPOSE, hashlib.sha256).digest()
        self._ttl = ttl
        self._now = now
        self._remember = remember
        self._used: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self) -> str:
        payload = f"{int(self._now())}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    def valid(self, token: str) -> bool:
        """True for a fresh token of ours; it is not accepted again afterwards."""
        payload, _, signature = token.rpartition(".")
        stamp = payload.partition(".")[0]
        if not (payload and stamp.isdigit()):
            return False
        if not hmac.compare_digest(signature, self._sign(payload)):
            return False
        age = self._now() - int(stamp)
        if not -60 <= age <= self._ttl:
            return False
        return self._first_use(payload)

    def _first_use(self, payload: str) -> bool:
        now = self._now()
        with self._lock:
            # Forget tokens that have expired anyway; bound the memory in any case.
            while self._used and (
                next(iter(self._used.values())) < now - self._ttl - 60
                or len(self._used) >= self._remember
            ):
                self._used.popitem(last=False)
            if payload in self._used:
                return False
            self._used[payload] = now
            return True

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:_SIG_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
