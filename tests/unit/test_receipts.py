"""Receipt codes, their keyed hash, the attempt counter and the mailbox token."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from services.intake.adapters.mailbox_tokens import MailboxTokens
from services.intake.adapters.rate_limit import AttemptCounter
from services.intake.adapters.receipts import ReceiptKeys, grouped, normalise
from services.intake.domain.report import Receipt
from shared.auth import InvalidToken, TokenVerifier
from shared.clock import MovableClock
from shared.config import Settings


def receipt_keys() -> ReceiptKeys:
    return ReceiptKeys(base64.b64encode(secrets.token_bytes(32)).decode())


def test_code_is_sixteen_digits_shown_in_groups_of_four() -> None:
    code = ReceiptKeys.new_code()
    assert len(code) == 16 and code.isdigit()
    assert grouped(code) == f"{code[:4]} {code[4:8]} {code[8:12]} {code[12:]}"
    assert normalise(grouped(code)) == code
    assert normalise("1234-5678 9012-3456") == "1234567890123456"


def test_codes_do_not_repeat() -> None:
    assert len({ReceiptKeys.new_code() for _ in range(1000)}) == 1000


def test_the_hash_needs_the_key_and_is_the_lookup_key() -> None:
    keys, other = receipt_keys(), receipt_keys()
    code = ReceiptKeys.new_code()
    digest = keys.digest(code)

    assert code not in digest
    assert keys.digest(grouped(code)) == digest  # however it is written down
    assert other.digest(code) != digest  # a stolen store without the key is no help
    assert Receipt.create_id(digest) == Receipt.create_id(keys.digest(code))
    assert keys.matches(digest, keys.digest(code))
    assert not keys.matches(digest, keys.digest(ReceiptKeys.new_code()))
    assert not keys.matches(None, digest)


def test_a_short_receipt_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 to 64 bytes"):
        ReceiptKeys(base64.b64encode(b"short").decode())


def test_attempts_are_counted_per_key_within_a_window() -> None:
    clock = MovableClock(datetime(2026, 1, 5, tzinfo=UTC))
    counter = AttemptCounter(limit=2, window=60, clock=clock)
    assert counter.acquire("10.0.0.1") and counter.acquire("10.0.0.1")
    assert not counter.acquire("10.0.0.1")
    assert counter.acquire("10.0.0.2")
    # An attempt given back (it was a right code) can be taken again.
    counter.release("10.0.0.1")
    assert counter.acquire("10.0.0.1")
    assert not counter.acquire("10.0.0.1")
    clock.advance(timedelta(seconds=60))
    assert counter.acquire("10.0.0.1")


def test_attempt_counter_forgets_the_oldest_keys_first() -> None:
    clock = MovableClock(datetime(2026, 1, 5, tzinfo=UTC))
    counter = AttemptCounter(limit=1, window=60, clock=clock, max_keys=2)
    for key in ("a", "b", "c"):
        assert counter.acquire(key)
    assert counter.acquire("a")  # forgotten: a fresh window
    assert not counter.acquire("c")


def test_mailbox_token_opens_one_melding_until_it_expires(tmp_path: Path) -> None:
    clock = MovableClock(datetime(2026, 1, 5, tzinfo=UTC))
    tokens = MailboxTokens(secrets.token_bytes(32), ttl_seconds=600, issuer="meldingen",
                           clock=clock)
    melding_id = uuid4()
    issued = tokens.issue(melding_id)
    assert tokens.verify(issued) == melding_id

    # Never a staff token: another audience, another role, another key.
    settings = Settings(var_dir=tmp_path)
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify(issued)

    clock.advance(timedelta(seconds=600))
    with pytest.raises(InvalidToken):
        tokens.verify(issued)


def test_a_mailbox_token_signed_with_another_key_is_refused() -> None:
    clock = MovableClock(datetime.now(UTC))
    ours = MailboxTokens(secrets.token_bytes(32), ttl_seconds=600, issuer="m", clock=clock)
    theirs = MailboxTokens(secrets.token_bytes(32), ttl_seconds=600, issuer="m", clock=clock)
    with pytest.raises(InvalidToken):
        ours.verify(theirs.issue(uuid4()))
