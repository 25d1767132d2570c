"""The web form's token: signed by us, fresh, used once; no cookie needed."""

from __future__ import annotations

import base64

from services.intake.adapters.form_tokens import FormTokens

KEY = base64.b64encode(b"k" * 32).decode()


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_fresh_token_is_accepted_once() -> None:
    tokens = FormTokens(KEY)
    token = tokens.issue()
    assert tokens.valid(token)
    assert not tokens.valid(token)


def test_a_token_expires() -> None:
    clock = Clock()
    tokens = FormTokens(KEY, ttl=3600, now=clock)
    token = tokens.issue()
    clock.now += 3601
    assert not tokens.valid(token)


def test_a_token_from_another_key_or_altered_is_refused() -> None:
    other = FormTokens(base64.b64encode(b"o" * 32).decode())
    tokens = FormTokens(KEY)
    assert not tokens.valid(other.issue())
    stamp, nonce, signature = tokens.issue().split(".")
    assert not tokens.valid(f"{int(stamp) + 1}.{nonce}.{signature}")
    for junk in ("", "...", "abc", "1.2", "x.y.z"):
        assert not tokens.valid(junk)


def test_memory_of_used_tokens_is_bounded() -> None:
    clock = Clock()
    tokens = FormTokens(KEY, ttl=60, now=clock, remember=10)
    for _ in range(50):
        assert tokens.valid(tokens.issue())
        clock.now += 1
    assert len(tokens._used) <= 10
