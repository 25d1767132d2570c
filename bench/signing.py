"""`python -m bench.signing [count]`: what signed events cost per event, in this
process: the relay's signature, the inbox's check of the signature alone, and the
inbox's whole admission (decode, subject, signature, position, contract).

The events are melding_received envelopes the size the relay publishes (about
0.8 kB). The figure for docs/performance.md; no NATS, no store.
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.payloads import DESCRIPTION
from shared.contracts import MeldingReceived, NamedIdentity
from shared.messaging.admission import Admitted, admit
from shared.messaging.envelope import Envelope
from shared.messaging.signing import HEADER, EventSigner, EventVerifier


def envelopes(count: int) -> list[Envelope]:
    now = datetime.now(UTC)
    return [Envelope.wrap(MeldingReceived(
        melding_id=f"00000000-0000-0000-0000-{n:012d}", kind="wrongdoing", theme="gifts",
        channel="web", description=f"{DESCRIPTION}(bench {n})",
        involved=["afdelingshoofd inkoop"], occurred=None, anonymous=False,
        identity=NamedIdentity(name=f"Melder {n}", email=f"melder{n}@example.org"),
        received_at=now, acknowledged_at=now), source="intake", position=n + 1,
        prev="0" * 64, stored="0" * 64) for n in range(count)]


def per_event_us(work: Callable[[int], Any], count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        work(n)
    return round((time.perf_counter() - started) / count * 1e6, 1)


def measure(count: int = 20_000) -> dict[str, Any]:
    signer = EventSigner(base64.b64encode(secrets.token_bytes(32)).decode())
    verifier = EventVerifier({"intake": [signer.public_key]})
    wrapped = envelopes(count)
    payloads = [e.encode() for e in wrapped]
    signatures = [signer.sign(p) for p in payloads]
    subjects = [e.subject for e in wrapped]

    def admitted(n: int) -> None:
        verdict = admit(subjects[n], {HEADER: signatures[n]}, payloads[n], verifier,
                        lambda _: n)
        assert isinstance(verdict, Admitted)

    def unchecked(n: int) -> None:  # what the inbox did before: decode and read
        Envelope.decode(payloads[n]).event()

    return {
        "events": count,
        "payload_bytes": round(sum(map(len, payloads)) / count),
        "sign_us": per_event_us(lambda n: signer.sign(payloads[n]), count),
        "verify_us": per_event_us(
            lambda n: verifier.verify("intake", payloads[n], signatures[n]), count),
        "decode_only_us": per_event_us(unchecked, count),
        "admit_us": per_event_us(admitted, count),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000), indent=2))
