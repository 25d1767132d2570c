"""One replay in a process of its own, so that its time and peak memory are its own:
reporting's `adapters/replay.on_scratch` (what `POST /api/audit/replay` and
`meldingen audit replay` run: the figures counted on scratch tables) over the whole
stream.

    MELDINGEN_NATS_URL=... python -m bench.replay_worker [--every-signature]

prints JSON on stdout. By default the signatures are proved along each source's chain
(what `meldingen audit replay` does); `--every-signature` checks each message's own.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from services.reporting.adapters import replay as audit
from shared.config import get_settings
from shared.messaging.nats import connect
from shared.messaging.permissions import AUDITOR
from shared.messaging.signing import verifier_for


async def replay(every_signature: bool) -> dict[str, Any]:
    settings = get_settings()
    nc = await connect(settings, name="bench-replay", user=AUDITOR)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        digest, counted, last = await audit.on_scratch(
            nc.jetstream(), settings.stream, verifier_for(settings),
            every_signature=every_signature, scratch=settings.var_dir)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await nc.close()
    return {"replayed": counted, "last_sequence": last, "elapsed_s": round(elapsed, 2),
            "rate_per_s": round(counted / elapsed, 1),
            "cpu_us_per_event": round(cpu / max(counted, 1) * 1e6, 2), "digest": digest,
            "peak_rss_mib": _peak_rss_mib()}


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


if __name__ == "__main__":
    print(json.dumps(asyncio.run(replay("--every-signature" in sys.argv[1:]))))
