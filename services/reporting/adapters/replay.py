"""The audit's replay: the figures rebuilt from the whole stream, compared with the
live ones. Used by the API, the CLI and the start of the service. (Verifying the
hash chains is `verification`.)"""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
from nats.js import JetStreamContext

from services.reporting.adapters.stream import read_stream
from services.reporting.domain.figures import AnnualFigures
from services.reporting.views import LiveFigures
from shared.messaging.admission import Refused, check
from shared.messaging.signing import EventVerifier

#: The services whose events the figures count (reporting's inbox sources).
COUNTED = ("intake", "triage", "investigation")


async def rebuild(js: JetStreamContext, stream: str, verifier: EventVerifier,
                  upto: int | None = None, parked: frozenset[int] | None = None
                  ) -> tuple[AnnualFigures, int, int]:
    """A fresh projection of the stream from its first message; (figures, messages
    counted, last sequence read). What the inbox would park (forged, unsigned,
    replayed) changes no figure here either: each message is checked as the inbox
    checks it, unless `parked` holds the inbox's own verdicts (the sequences it
    parked, for a rebuild no further than it got): then those are skipped and the
    rest is read as the inbox applied it, at a fraction of the cost (an Ed25519
    check per message, docs/performance.md)."""
    figures = AnnualFigures()
    apply, loads = figures.apply, orjson.loads
    counted = last = 0
    positions: dict[str, int] = {}

    def admitted(sequence: int, subject: str, payload: bytes,
                 headers: dict[str, str] | None) -> dict[str, Any] | None:
        if parked is not None:
            body = None if sequence in parked else loads(payload)
            return body if isinstance(body, dict) else None
        body = check(subject, headers, payload, verifier, lambda s: positions.get(s, 0))
        if isinstance(body, Refused):
            return None
        positions[body["source"]] = body["position"]
        return body

    def project(sequence: int, subject: str, payload: bytes,
                headers: dict[str, str] | None) -> None:
        nonlocal counted, last
        last = sequence
        if subject.split(".", 2)[1] not in COUNTED:
            return
        counted += 1
        with contextlib.suppress(ValueError, KeyError, TypeError):
            body = admitted(sequence, subject, payload, headers)
            if body is not None:  # unreadable, as the inbox parks it: no figure
                apply(body["type"], body["data"])

    await read_stream(js, stream, project, upto=upto)
    return figures, counted, last


async def replay(js: JetStreamContext, stream: str, verifier: EventVerifier,
                 live: LiveFigures | None, parked: frozenset[int] | None = None
                 ) -> dict[str, Any]:
    """Rebuild every figure from the stream and compare with the live projection, at
    the sequence the live one had reached when the replay began."""
    position, _, live_digest = live.snapshot() if live is not None else (None, 0, None)
    figures, counted, _ = await rebuild(js, stream, verifier, upto=position, parked=parked)
    digest = figures.digest()
    return {"events_replayed": counted, "matches_live": digest == live_digest if live else None,
            "digest": digest, "position": position}
