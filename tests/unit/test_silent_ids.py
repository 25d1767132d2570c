"""The relay's record of events committed without an integration event: what it holds
it knows for sure; anything else (forgotten, never seen) is read back."""

from __future__ import annotations

from shared.messaging.silent import SilentIds


def test_an_id_added_is_known_until_passed_and_others_never() -> None:
    silent = SilentIds()
    silent.add([5, 6, 9, 300_000])
    assert [i for i in range(1, 12) if i in silent] == [5, 6, 9]
    assert 300_000 in silent and 299_999 not in silent
    silent.passed(100)
    assert 300_000 in silent
    assert 3 not in silent  # before the place the relay has passed
    silent.add([2])  # an out-of-order callback for an id already passed: not kept
    assert 2 not in silent


def test_an_id_too_far_ahead_is_forgotten() -> None:
    silent = SilentIds(limit=64)
    silent.add([1, 64, 65])
    assert 1 in silent and 64 not in silent and 65 not in silent
