"""The audit's replay: the figures rebuilt from the whole stream, compared with the
live ones. Used by the API, the CLI and the start of the service. (Verifying the
hash chains is `verification`.)"""

from __future__ import annotations

from typing import Any

import orjson
from nats.js import JetStreamContext

from services.reporting.adapters.stream import read_stream
from services.reporting.domain.figures import AnnualFigures
from services.reporting.views import LiveFigures

#: The services whose events the figures count (reporting's inbox sources).
COUNTED = ("intake", "triage", "investigation")


async def rebuild(js: JetStreamContext, stream: str, upto: int | None = None
                  ) -> tuple[AnnualFigures, int, int]:
    """A fresh projection of the stream from its first message; (figures, messages
    counted, last sequence read)."""
    figures = AnnualFigures()
    apply, loads = figures.apply, orjson.loads
    counted = last = 0

    def project(sequence: int, subject: str, payload: bytes) -> None:
        nonlocal counted, last
        last = sequence
        if subject.split(".", 2)[1] not in COUNTED:
            return
        counted += 1
        try:
            envelope = loads(payload)
            apply(envelope["type"], envelope["data"])
        except (ValueError, KeyError, TypeError):
            pass  # unreadable, as the inbox skips it: it changes no figure

    await read_stream(js, stream, project, upto=upto)
    return figures, counted, last


async def replay(js: JetStreamContext, stream: str, live: LiveFigures | None) -> dict[str, Any]:
    """Rebuild every figure from the stream and compare with the live projection, at
    the sequence the live one had reached when the replay began."""
    position, _, live_digest = live.snapshot() if live is not None else (None, 0, None)
    figures, counted, _ = await rebuild(js, stream, upto=position)
    digest = figures.digest()
    return {"events_replayed": counted, "matches_live": digest == live_digest if live else None,
            "digest": digest, "position": position}
