"""Scenario: filing a melding with a 5 MiB photo (issue 19): 4 clients each file a
melding, open its mailbox and send the photo, which intake cleans, encrypts and
stores in the files stream. Figures: files per second, latency of the upload, and
intake's peak memory; beside them the raw limit, the same file's chunks sealed and
published to the files stream alone."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from bench.payloads import melding
from bench.procs import Stack
from bench.sizes import Sizes
from bench.stats import summary
from shared.datakeys import DataKey
from shared.files.store import FileStore
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN

CLIENTS = 4
TARGET_BYTES = 5 * 1024 * 1024


def photo() -> bytes:
    """A JPEG of noise of about 5 MiB (noise does not compress: size follows pixels)."""
    side = 1400
    while True:
        image = Image.effect_noise((side, side), 90).convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=95)
        if out.tell() >= TARGET_BYTES:
            return out.getvalue()
        side = int(side * 1.15)


async def _client(url: str, data: bytes, rounds: int, latencies: list[float]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for _ in range(rounds):
            filed = (await client.post("/api/meldingen", json=melding("named", 0))).json()
            token = (await client.post("/api/mailbox/login",
                                       json={"receipt": filed["receipt"]})).json()["token"]
            started = time.perf_counter()
            sent = await client.post("/api/mailbox/attachments",
                                     headers={"Authorization": f"Bearer {token}"},
                                     files={"file": ("foto.jpg", data)})
            assert sent.status_code == 201, sent.text
            latencies.append(time.perf_counter() - started)


async def _raw(stack: Stack, data: bytes, path: Path, count: int) -> dict[str, Any]:
    path.write_bytes(data)
    nc = await connect(stack.settings, "bench-raw", user=ADMIN)
    try:
        store = FileStore(stack.settings, "intake", lambda: nc)
        key = DataKey.generate("00000000-0000-0000-0000-000000000000")
        started = time.perf_counter()
        for index in range(count):
            await store.put(key, f"raw{index}", path)
        elapsed = time.perf_counter() - started
    finally:
        await nc.close()
    return {"files_per_s": round(count / elapsed, 2),
            "mib_per_s": round(count * len(data) / elapsed / 2**20, 1)}


def attachments(root: Path, database_url: str | None, sizes: Sizes) -> dict[str, Any]:
    rounds = 2 if sizes.intake_count < 100 else 5  # per client
    stack = Stack(root, database_url)
    try:
        stack.start_nats()
        data = photo()
        raw = asyncio.run(_raw(stack, data, root / "raw.jpg", CLIENTS * rounds))
        intake = stack.start_service("intake")
        intake.reset_peak_rss()
        latencies: list[float] = []
        started = time.perf_counter()

        async def everyone() -> None:
            await asyncio.gather(*(_client(intake.url, data, rounds, latencies)
                                   for _ in range(CLIENTS)))

        asyncio.run(everyone())
        elapsed = time.perf_counter() - started
        return {"file_mib": round(len(data) / 2**20, 2), "clients": CLIENTS,
                "files": len(latencies), "files_per_s": round(len(latencies) / elapsed, 2),
                "upload_latency": summary([s * 1000 for s in latencies]),
                "intake_peak_rss_mib": intake.peak_rss_mib(), "raw_store": raw}
    finally:
        stack.stop()
