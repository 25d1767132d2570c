"""Connecting to NATS (one node or a cluster) and creating the stream idempotently."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError

from shared.config import Settings

log = logging.getLogger("meldingen.nats")
SUBJECTS = "meldingen.>"


async def connect(settings: Settings, name: str) -> Client:
    """Connect, retrying until a server answers; later outages reconnect by themselves."""
    delay = 0.2
    while True:
        try:
            return await nats.connect(
                servers=settings.nats_servers,
                name=name,
                connect_timeout=2,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                ping_interval=5,
                max_outstanding_pings=3,
            )
        except Exception as exc:  # noqa: BLE001 - any failure to connect means: try again
            log.warning("nats not reachable, retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


def stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.stream,
        subjects=[SUBJECTS],
        storage=StorageType.FILE,
        max_age=0,  # keep everything: the stream is the audit log
        duplicate_window=settings.duplicate_window_seconds,
        num_replicas=settings.stream_replicas,
    )


async def open_stream(settings: Settings, name: str) -> tuple[Client, JetStreamContext]:
    """Connect and make sure the stream exists, retrying both until NATS answers."""
    nc = await connect(settings, name=name)
    js = nc.jetstream()
    while True:
        try:
            await ensure_stream(js, settings)
            return nc, js
        except Exception as exc:  # noqa: BLE001 - JetStream not ready yet
            log.warning("stream not ready", extra={"error": type(exc).__name__})
            await asyncio.sleep(0.5)


async def ensure_stream(js: JetStreamContext, settings: Settings) -> None:
    """Create the stream, or bring an existing one to the configured shape."""
    config = stream_config(settings)
    try:
        await js.add_stream(config)
    except BadRequestError:
        await js.update_stream(config)
