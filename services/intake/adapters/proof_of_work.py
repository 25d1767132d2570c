"""A small proof of work for each unauthenticated mailbox login (hashcash, as GlobaLeaks
does), so that guessing costs the guesser's CPU instead of every reporter's access.

Intake hands out a challenge, `<expires>.<nonce>.<bits>.<mac>`, that it can check
without storing it (the MAC is keyed with a key only intake holds). The browser finds a
decimal `proof` such that BLAKE2b-256(`<challenge>:<proof>`) starts with `bits` zero
bits: about 2^bits hashes, a fraction of a second with the default 16. Each challenge
opens one attempt: a used one is remembered until it expires.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict

from shared.clock import Clock


class ProofOfWork:
    def __init__(self, key: bytes, *, bits: int, ttl_seconds: float, clock: Clock,
                 max_used: int = 100_000) -> None:
        self.bits = bits
        self.ttl_seconds = ttl_seconds
        self._key = key
        self._clock = clock
        self._max_used = max_used
        self._used: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def challenge(self) -> str:
        expires = int(self._clock.now().timestamp() + self.ttl_seconds)
        body = f"{expires}.{secrets.token_hex(12)}.{self.bits}"
        return f"{body}.{self._mac(body)}"

    def check(self, challenge: str, proof: str) -> bool:
        """Whether `proof` solves a challenge of ours that is current and unused; a
        solved one is used up."""
        body, _, mac = challenge.rpartition(".")
        parts = body.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            return False
        if not hmac.compare_digest(mac, self._mac(body)) or int(parts[2]) < self.bits:
            return False
        expires, now = int(parts[0]), self._clock.now().timestamp()
        if expires <= now or not proof.isdigit() or len(proof) > 20:
            return False
        if leading_zero_bits(hashlib.blake2b(f"{challenge}:{proof}".encode(),
                                             digest_size=32).digest()) < int(parts[2]):
            return False
        return self._use(challenge, expires, now)

    def _use(self, challenge: str, expires: float, now: float) -> bool:
        with self._lock:
            while self._used and next(iter(self._used.values())) <= now:
                self._used.popitem(last=False)
            if challenge in self._used or len(self._used) >= self._max_used:
                return False  # replayed, or so many current ones that none is taken
            self._used[challenge] = expires
            return True

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.blake2b).hexdigest()[:32]


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def solve(challenge: str) -> str:
    """What the browser does (for tests and API clients written in Python)."""
    bits = int(challenge.split(".")[2])
    counter = 0
    while True:
        digest = hashlib.blake2b(f"{challenge}:{counter}".encode(), digest_size=32).digest()
        if leading_zero_bits(digest) >= bits:
            return str(counter)
        counter += 1
