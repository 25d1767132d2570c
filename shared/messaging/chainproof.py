"""Signatures proved along the stream chain: one Ed25519 check for a run of a source's
messages instead of one each.

The relay signs the exact bytes it publishes, and those bytes include `prev`, the
SHA-256 of the same source's previous published bytes (`shared.chain`). So a message
whose signature holds vouches for its predecessor's bytes too, and that one for its
own predecessor: within a batch, a run of a source's messages each naming the one
before it holds as a whole if its last message's signature holds. That is checked
at each broken link and at the batch's end; if it fails, the run is walked back to
the last message whose own signature holds, which vouches for the ones before it,
and the ones after it are refused. Nothing is carried from one batch to the next, so
each batch's verdicts are its own (a batch of one is checked as before).

What it does not see (`--every-signature` does): a message inside a run whose only
change is its signature header is vouched for by its successor and still holds, as
its bytes are the ones its source published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from shared.messaging.signing import HEADER, EventVerifier

#: (subject, headers, payload, the payload as parsed JSON or None) of a message.
Parsed = tuple[str, Mapping[str, str] | None, bytes, Any]


def chain_verdicts(messages: Sequence[Parsed], verifier: EventVerifier) -> list[bool]:
    """Whether each message's bytes are its subject's source's, as `signature_holds`
    answers it, for a batch in stream order. A message that admission refuses before
    its signature (unsigned, unreadable, on another source's subject, of an unknown
    source) gets False and neither joins nor breaks a run."""
    verdicts = [False] * len(messages)
    runs: dict[str, list[int]] = {}  # each source's run so far, by index
    heads: dict[str, str] = {}  # each source's last message's hash

    def settle(run: list[int]) -> None:
        for end in range(len(run) - 1, -1, -1):
            _, headers, payload, body = messages[run[end]]
            if verifier.verify(body["source"], payload, (headers or {})[HEADER]):
                for index in run[:end + 1]:
                    verdicts[index] = True
                return

    for index, (subject, headers, payload, body) in enumerate(messages):
        # Only a message whose signature admission would read: signed, an envelope,
        # on its source's subject, of a known source (inlined: this runs per message).
        if not headers or not headers.get(HEADER) or not isinstance(body, dict):
            continue
        source = body.get("source")
        if not isinstance(source, str) or not verifier.knows(source) or \
                subject != f"meldingen.{source}.{body.get('type')}":
            continue
        run = runs.get(source)
        if run is not None and body.get("prev") == heads[source]:
            run.append(index)
        else:
            if run is not None:
                settle(run)
            runs[source] = [index]
        heads[source] = hashlib.sha256(payload).hexdigest()
    for run in runs.values():
        settle(run)
    return verdicts

