"""Intake's filing path in one process, without HTTP: `count` meldingen filed through
`Filing` by 16 concurrent callers (group commit, per-melding keys, sealing) while the
outbox relay signs and publishes them to a real JetStream; the process's CPU time per
melding, from the first filing until the relay has published the last. Beside the
HTTP scenario (`bench intake`) it leaves out uvicorn, FastAPI and the load
generator, so the store, crypto and relay's share can be compared tree against tree.

    python -m bench.intake_inproc 1000 anonymous
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.procs import Stack
from services.intake.adapters.filing import Filing
from services.intake.bootstrap import build_application
from services.intake.domain.submission import Submission
from shared.messaging.nats import open_stream
from shared.messaging.outbox import OutboxRelay
from shared.messaging.permissions import ADMIN
from shared.messaging.signing import signer_for

CLIENTS = 16


def submission(index: int, anonymous: bool) -> Submission:
    return Submission(kind="wrongdoing", theme="other",
                      description=f"Melding {index}: " + "x" * 400, anonymous=anonymous,
                      identity={"name": "Jan Jansen", "email": "jan@example.org"})


async def measure(stack: Stack, count: int, anonymous: bool) -> dict[str, float]:
    intake = build_application(stack.settings)
    nc, js = await open_stream(stack.settings, "bench", user=ADMIN)
    relay = OutboxRelay(intake, js, signer_for(stack.settings, "intake"))
    task = asyncio.create_task(relay.run())
    filing = Filing(intake)

    async def client(first: int) -> None:
        for index in range(first, count, CLIENTS):
            await filing.file(submission(index, anonymous))

    try:
        await asyncio.gather(*(client(k) for k in range(CLIENTS)))  # warm-up
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client(k) for k in range(CLIENTS)))
        while relay.position() < (intake.recorder.max_notification_id() or 0):
            await asyncio.sleep(0.002)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        relay.stop()
        await task
        await nc.close()
        intake.close()
    return {"cpu_ms_per_melding": round(cpu / count * 1000, 3),
            "per_s": round(count / wall, 1)}


def main() -> None:
    count, kind = int(sys.argv[1]), sys.argv[2]
    stack = Stack(Path(tempfile.mkdtemp(prefix="meldingen-inproc-")))
    try:
        stack.start_nats()
        result = asyncio.run(measure(stack, count, kind == "anonymous"))
    finally:
        stack.stop()
    with open("/proc/loadavg") as file:
        print({"kind": kind, **result, "loadavg": file.read().split()[0]})


if __name__ == "__main__":
    main()
