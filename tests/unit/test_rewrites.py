"""Rewrites of the log (`shared.chain.rewrites`, `shared.messaging.rewrites`): a store
event whose bytes a validly recorded rewrite replaced keeps its chain link, a record
that does not fit it (another event, another predecessor, other bytes) does not; a
stream record opens only with its source's signature; its redacted envelope is fed
in the place of the message it took off."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import orjson

from services.reporting.adapters.stream import InPlace
from services.reporting.domain.chains import StoreCheck
from shared.chain import GENESIS
from shared.chain.rewrites import EventRewritten, fits, state_sha256
from shared.messaging.rewrites import StreamRewrite, subject_of, without_content
from shared.messaging.signing import HEADER, EventSigner, EventVerifier
from tests.unit.test_chain_checks import links_of, records


def signer() -> EventSigner:
    return EventSigner(base64.b64encode(secrets.token_bytes(32)).decode())


def rewrite_of(record: Any, prev: str, link: str, state: bytes) -> EventRewritten:
    return EventRewritten(
        originator_id=record.originator_id, originator_version=1,
        timestamp=EventRewritten.create_timestamp(),
        notification_id=record.id, event_originator_id=str(record.originator_id),
        event_version=record.originator_version, event_topic=record.topic, prev=prev,
        link=link, erased_sha256=state_sha256(record.state),
        state_sha256=state_sha256(state), signature="")


def test_a_recorded_rewrite_keeps_its_link_and_nothing_else_does() -> None:
    stored = records(3)
    links = links_of(stored)
    rewritten = [stored[0], stored[1].__class__(**{**vars(stored[1]), "state": b"new"}),
                 stored[2]]
    record = rewrite_of(stored[1], links[1], links[2], b"new")
    assert fits(record, links[1], rewritten[1])
    assert not fits(record, GENESIS, rewritten[1])  # another place in the chain
    assert not fits(record, links[1], stored[1])  # the bytes it replaced
    check = StoreCheck("store:intake", links, rewrites={2: record})
    for each in rewritten:
        check.record(each)
    check.finish()
    assert check.first_bad is None
    # Without the record the new bytes do not fit the seal: named.
    unrecorded = StoreCheck("store:intake", links)
    for each in rewritten:
        unrecorded.record(each)
    assert unrecorded.first_bad is not None and unrecorded.first_bad.position == 2


ENVELOPE = {"type": "reporter_replied", "schema_version": 1, "source": "intake",
            "position": 4, "prev": "ab" * 32,
            "data": {"melding_id": "m-1", "body": "Een geheim", "at": "2026-01-01"}}


def test_a_stream_record_opens_only_with_its_sources_signature() -> None:
    intake, other = signer(), signer()
    payload = orjson.dumps(ENVELOPE, option=orjson.OPT_SORT_KEYS)
    record = StreamRewrite.of(9, payload, intake)
    assert record is not None and b"geheim" not in record.encode()
    assert "body" not in orjson.loads(record.envelope)["data"]
    verifier = EventVerifier({"intake": [intake.public_key]})
    encoded = record.encode()
    opened = StreamRewrite.decode(subject_of("intake"), encoded,
                                  {HEADER: intake.sign(encoded)}, verifier)
    assert opened == record
    assert StreamRewrite.decode(subject_of("intake"), encoded,
                                {HEADER: other.sign(encoded)}, verifier) is None
    assert StreamRewrite.decode(subject_of("triage"), encoded,
                                {HEADER: intake.sign(encoded)}, verifier) is None
    # An envelope without content in the clear has no record.
    assert without_content({**ENVELOPE, "data": {"melding_id": "m-1"}}) is None


def test_a_redacted_envelope_is_fed_in_the_place_of_the_message_it_took_off() -> None:
    intake = signer()
    payload = orjson.dumps(ENVELOPE, option=orjson.OPT_SORT_KEYS)
    taken = [StreamRewrite.of(n, payload, intake) for n in (2, 5, 7)]
    rewrites = [r for r in taken if r is not None]
    fed: list[tuple[int, str]] = []
    in_place = InPlace(rewrites, lambda seq, subject, *_: fed.append((seq, subject)))
    for seq, subject in ((1, "meldingen.intake.x"), (3, "meldingen.intake.x"),
                         (5, "meldingen.intake.x"),  # still there: cut off before delete
                         (6, subject_of("intake"))):  # a record itself: not fed on
        in_place(seq, subject, b"", None)
    in_place.finish()
    assert fed == [(1, "meldingen.intake.x"), (2, "meldingen.intake.reporter_replied"),
                   (3, "meldingen.intake.x"), (5, "meldingen.intake.x"),
                   (7, "meldingen.intake.reporter_replied")]
