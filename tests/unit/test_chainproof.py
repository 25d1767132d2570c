"""The chain's proof of a batch's signatures: one Ed25519 check per run of a source's
linked messages, each message's verdict still its own signature's."""

from __future__ import annotations

import base64

import orjson
from nacl.signing import SigningKey

from shared.chain import GENESIS, envelope_hash
from shared.messaging.chainproof import Parsed, chain_verdicts
from shared.messaging.signing import HEADER, EventSigner, EventVerifier

SIGNERS = {source: EventSigner(base64.b64encode(bytes(SigningKey.generate())).decode())
           for source in ("intake", "triage")}


class Counting(EventVerifier):
    """The real verifier, counting its checks."""

    checks = 0

    def verify(self, source: str, payload: bytes, signature_b64: str) -> bool:
        self.checks += 1
        return super().verify(source, payload, signature_b64)


def verifier() -> Counting:
    return Counting({s: [signer.public_key] for s, signer in SIGNERS.items()})


def chain(source: str, count: int) -> list[Parsed]:
    messages: list[Parsed] = []
    prev = GENESIS
    for position in range(1, count + 1):
        body = {"source": source, "type": "melding_received", "position": position,
                "prev": prev, "data": {}}
        payload = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        messages.append((f"meldingen.{source}.melding_received",
                         {HEADER: SIGNERS[source].sign(payload)}, payload, body))
        prev = envelope_hash(payload)
    return messages


def interleaved() -> list[Parsed]:
    intake, triage = chain("intake", 6), chain("triage", 6)
    return [m for pair in zip(intake, triage, strict=True) for m in pair]


def test_one_check_per_source_for_linked_runs() -> None:
    checking = verifier()
    assert chain_verdicts(interleaved(), checking) == [True] * 12
    assert checking.checks == 2


def test_a_bad_last_signature_is_walked_back_to_the_last_that_holds() -> None:
    messages = interleaved()
    subject, _, payload, body = messages[-1]  # triage's last
    messages[-1] = (subject, {HEADER: SIGNERS["intake"].sign(payload)}, payload, body)
    assert chain_verdicts(messages, verifier()) == [True] * 11 + [False]


def test_a_broken_link_ends_a_run_and_its_last_message_is_checked_alone() -> None:
    messages = chain("intake", 5)
    subject, headers, _, body = messages[2]
    altered = {**body, "data": {"theme": "gifts"}}
    messages[2] = (subject, headers, orjson.dumps(altered), altered)
    checking = verifier()
    # The altered message ends the first run: its own signature fails, the run before
    # it holds; the next message's prev names the original, so a new run starts.
    assert chain_verdicts(messages, checking) == [True, True, False, True, True]
    assert checking.checks == 3


def test_what_admission_refuses_before_the_signature_neither_joins_nor_breaks_a_run() -> None:
    messages = chain("intake", 3)
    subject, _, payload, body = messages[1]
    unsigned: Parsed = (subject, {}, payload, body)
    wrong_subject: Parsed = ("meldingen.triage.melding_received", messages[1][1], payload, body)
    checking = verifier()
    verdicts = chain_verdicts([messages[0], unsigned, wrong_subject, *messages[1:]], checking)
    assert verdicts == [True, False, False, True, True]
    assert checking.checks == 1
