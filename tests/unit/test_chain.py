"""The hash chains: a walk names the first event that does not fit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from shared.chain import GENESIS, StoreCheck, StreamCheck, envelope_hash, store_link

ORIGINATOR = UUID(int=7)


@dataclass(frozen=True)
class Record:
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def records(n: int) -> list[Record]:
    return [Record(i, ORIGINATOR, i, "app:Report.Received", b"state %d" % i)
            for i in range(1, n + 1)]


def links_of(stored: list[Record]) -> dict[int, str]:
    head, links = GENESIS, {}
    for record in stored:
        head = store_link(head, record)
        links[record.id] = head
    return links


def walk_store(stored: list[Record], witnesses: dict[int, str],
               checkpoint: tuple[int, str, int] | None = None) -> StoreCheck:
    check = StoreCheck("store:intake", witnesses, checkpoint)
    for record in stored:
        check.record(record)
    check.finish()
    return check


def test_store_link_covers_every_part_of_the_stored_event() -> None:
    record = records(1)[0]
    base = store_link(GENESIS, record)
    assert store_link(GENESIS, record) == base  # deterministic
    for changed in (replace(record, id=2), replace(record, originator_version=2),
                    replace(record, topic="app:Other"), replace(record, state=b"statf 1"),
                    replace(record, originator_id=UUID(int=8))):
        assert store_link(GENESIS, changed) != base
    assert store_link("11" * 32, record) != base  # the previous link is part of it


def test_an_untouched_store_fits_its_witnesses() -> None:
    stored = records(5)
    check = walk_store(stored, links_of(stored))
    assert check.first_bad is None
    assert check.count == 5
    assert check.head == links_of(stored)[5]


def test_one_altered_byte_is_named_exactly() -> None:
    stored = records(5)
    witnesses = links_of(stored)
    stored[2] = replace(stored[2], state=b"stbte 3")
    check = walk_store(stored, witnesses)
    assert check.first_bad is not None
    assert check.first_bad.position == 3


def test_a_deleted_event_is_named() -> None:
    stored = records(5)
    witnesses = links_of(stored)
    del stored[1]
    check = walk_store(stored, witnesses)
    assert check.first_bad is not None
    assert check.first_bad.position == 2
    assert "missing" in check.first_bad.reason


def test_a_cut_off_end_is_caught_by_the_signed_checkpoint() -> None:
    stored = records(5)
    links = links_of(stored)
    # The witnesses of the last events are gone as well: only the checkpoint remains.
    witnesses = {i: link for i, link in links.items() if i <= 3}
    check = walk_store(stored[:3], witnesses, checkpoint=(5, links[5], 5))
    assert check.first_bad is not None
    assert check.first_bad.position == 5
    assert "ends after position 3" in check.first_bad.reason
    assert "cut off" in check.first_bad.reason


def test_a_rewritten_history_differs_from_the_checkpoint() -> None:
    stored = records(4)
    links = links_of(stored)
    stored[0] = replace(stored[0], state=b"forged")
    check = walk_store(stored, {}, checkpoint=(4, links[4], 4))
    assert check.first_bad is not None
    assert check.first_bad.position == 4
    assert "checkpoint" in check.first_bad.reason


def test_stream_chain_names_a_forged_and_a_missing_message() -> None:
    payloads = [b'{"n":%d}' % i for i in range(1, 5)]
    prevs = [GENESIS] + [envelope_hash(p) for p in payloads[:-1]]

    intact = StreamCheck("stream:intake")
    for position, (prev, payload) in enumerate(zip(prevs, payloads, strict=True), 1):
        intact.message(position, position, prev, payload)
    assert intact.first_bad is None

    forged = StreamCheck("stream:intake")
    for position, (prev, payload) in enumerate(zip(prevs, payloads, strict=True), 1):
        forged.message(position, position, prev,
                       b'{"n":99}' if position == 2 else payload)
    assert forged.first_bad is not None and forged.first_bad.position == 3

    gap = StreamCheck("stream:intake")
    for position in (1, 3, 4):
        gap.message(position, position, prevs[position - 1], payloads[position - 1])
    assert gap.first_bad is not None and gap.first_bad.position == 3

    replayed = StreamCheck("stream:intake")
    for position in (1, 2, 2):
        replayed.message(position, position, replayed.head, payloads[position - 1])
    assert replayed.first_bad is not None
    assert "does not follow" in replayed.first_bad.reason
