"""The hash chains: a walk names the first event that does not fit, held against the
seals and against what signed checkpoints recorded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import pytest

from services.reporting.domain.chains import StoreCheck, StreamCheck
from services.reporting.domain.checkpoint import Anchors, Checkpoint, Checkpoints, anchors
from shared.chain import GENESIS, envelope_hash, store_link
from shared.errors import Conflict

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


def signed(number: int, chain: str, position: int, head: str,
           ids: list[list[int]] | None = None) -> Checkpoint:
    entry: dict[str, Any] = {"chain": chain, "events": position, "head": head,
                             "position": position}
    if ids is not None:
        entry["ids"] = ids
    return Checkpoint(number, [entry], [], "2026-01-01T00:00:00+00:00", "key", "sig")


def held(*checkpoints: Checkpoint) -> Anchors:
    return anchors(list(checkpoints))["store:intake"]


def walk_store(stored: list[Record], witnesses: dict[int, str],
               anchored: Anchors | None = None) -> StoreCheck:
    check = StoreCheck("store:intake", witnesses, anchored)
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


def test_a_cut_off_end_is_named_by_the_checkpoint_with_its_seals_gone() -> None:
    stored = records(5)
    links = links_of(stored)
    # The witnesses of the last events are gone as well: only the checkpoint remains.
    witnesses = {i: link for i, link in links.items() if i <= 3}
    check = walk_store(stored[:3], witnesses,
                       held(signed(1, "store:intake", 5, links[5], [[1, 5]])))
    assert check.first_bad is not None
    assert check.first_bad.position == 4
    assert "checkpoint 1 recorded it as stored" in check.first_bad.reason
    assert "cut off" in check.first_bad.reason


def test_a_deleted_middle_is_named_by_the_checkpoint_with_its_seals_gone() -> None:
    stored = records(6)
    links = links_of(stored)
    check = walk_store([r for r in stored if r.id not in (3, 4)], {}, held(
        signed(1, "store:intake", 2, links[2], [[1, 2]]),
        signed(2, "store:intake", 6, links[6], [[3, 6]])))
    assert check.first_bad is not None
    assert check.first_bad.position == 3
    assert "checkpoint 2 recorded it as stored" in check.first_bad.reason


def test_an_emptied_store_is_named_at_its_first_event() -> None:
    links = links_of(records(3))
    check = walk_store([], {}, held(signed(1, "store:intake", 3, links[3], [[1, 3]])))
    assert check.first_bad is not None
    assert check.first_bad.position == 1
    assert "cut off" in check.first_bad.reason


def test_a_rewritten_history_differs_from_the_checkpoint() -> None:
    stored = records(4)
    links = links_of(stored)
    stored[0] = replace(stored[0], state=b"forged")
    check = walk_store(stored, {}, held(signed(1, "store:intake", 4, links[4], [[1, 4]])))
    assert check.first_bad is not None
    assert check.first_bad.position == 4
    assert "checkpoint 1" in check.first_bad.reason


def test_the_earliest_checkpoint_of_an_id_counts_and_overlaps_merge() -> None:
    anchored = held(signed(1, "store:intake", 4, "a", [[1, 4]]),
                    signed(2, "store:intake", 6, "b", [[3, 6], [9, 9]]))
    assert anchored.signed_ids() == [(1, 4, 1), (5, 6, 2), (9, 9, 2)]


def test_a_walk_signs_the_ids_after_the_last_checkpoint_as_ranges() -> None:
    check = walk_store([r for r in records(9) if r.id not in (4, 5)], {})
    assert check.ranges_after(0) == [(1, 3), (6, 9)]
    assert check.ranges_after(6) == [(7, 9)]


class Key:
    public_key = "the public key"

    def sign(self, message: bytes) -> str:
        return f"signed {len(message)} bytes"


def test_checkpoints_are_numbered_without_gaps_and_signed_over_their_number() -> None:
    checkpoints = Checkpoints()
    first = checkpoints.sign([], [], "2026-01-01T00:00:00+00:00", Key())
    second = checkpoints.sign([{"chain": "store:intake"}], [], "2026-01-01T00:01:00+00:00",
                              Key())
    assert (first.number, second.number) == (1, 2)
    assert checkpoints.latest == second
    assert b'"number":2' in second.signed_bytes()
    assert second.signature == f"signed {len(second.signed_bytes())} bytes"
    with pytest.raises(Conflict):
        checkpoints._signed(number=5, heads=[], misfits=[], signed_at="", public_key="",
                            signature="")


def test_a_cut_off_stream_is_named_at_the_first_signed_position_it_lacks() -> None:
    payloads = [b'{"n":%d}' % i for i in range(1, 5)]
    prevs = [GENESIS] + [envelope_hash(p) for p in payloads[:-1]]
    anchored = anchors([signed(1, "stream:intake", 4, envelope_hash(payloads[3]))])
    check = StreamCheck("stream:intake", anchored["stream:intake"])
    for position in (1, 2, 3):
        check.message(position, position, prevs[position - 1], payloads[position - 1])
    check.finish()
    assert check.first_bad is not None
    assert check.first_bad.position == 4
    assert "cut off" in check.first_bad.reason


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
