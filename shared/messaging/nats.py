"""Connecting to NATS (one node or a cluster) as one of its users, waiting for the
stream, and (as `admin` only) creating the stream or bringing it to its shape."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from shared.config import Settings
from shared.files.store import FILE_SUBJECTS, files_stream
from shared.messaging.credentials import tls_context
from shared.messaging.epochs import bucket
from shared.messaging.permissions import ADMIN, inbox_prefix

log = logging.getLogger("meldingen.nats")
SUBJECTS = "meldingen.>"


async def connect(settings: Settings, name: str, *, user: str) -> Client:
    """Connect as `user`, retrying until a server answers; later outages reconnect by
    themselves. The credentials are read before the first attempt, so a missing one
    fails at once."""
    seed = settings.nats_seed_of(user)
    tls = tls_context(settings)
    delay = 0.2
    while True:
        try:
            return await nats.connect(
                servers=settings.nats_servers,
                name=name,
                nkeys_seed_str=seed,
                inbox_prefix=inbox_prefix(user),
                tls=tls,
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


def files_stream_config(settings: Settings) -> StreamConfig:
    """The files' chunks (shared/files/store.py): kept until shredding purges them;
    a chunk is read by its subject, so each subject keeps its one message."""
    return StreamConfig(
        name=files_stream(settings),
        subjects=[FILE_SUBJECTS],
        storage=StorageType.FILE,
        max_age=0,
        max_msgs_per_subject=1,
        duplicate_window=settings.duplicate_window_seconds,
        num_replicas=settings.stream_replicas,
    )


def transport_keys_config(settings: Settings) -> StreamConfig:
    """The KV bucket of the receivers' transport epochs (shared/messaging/epochs.py),
    as `create_key_value` makes one: the latest entry per receiver."""
    name = bucket(settings)
    return StreamConfig(
        name=f"KV_{name}",
        subjects=[f"$KV.{name}.>"],
        storage=StorageType.FILE,
        max_msgs_per_subject=1,
        allow_rollup_hdrs=True,
        deny_delete=True,
        discard=DiscardPolicy.NEW,
        num_replicas=settings.stream_replicas,
    )


async def open_stream(settings: Settings, name: str, *,
                      user: str) -> tuple[Client, JetStreamContext]:
    """Connect as `user` and wait until the stream exists (admin's setup makes it)."""
    nc = await connect(settings, name=name, user=user)
    js = nc.jetstream()
    while True:
        try:
            await js.stream_info(settings.stream)
            return nc, js
        except Exception as exc:  # noqa: BLE001 - JetStream or the stream not ready yet
            log.warning("stream not ready", extra={"error": type(exc).__name__})
            await asyncio.sleep(0.5)


async def ensure_stream(js: JetStreamContext, settings: Settings) -> None:
    """Create the streams (the events', the files' and the transport keys' bucket),
    or bring existing ones to the configured shape (admin)."""
    for config in (stream_config(settings), files_stream_config(settings),
                   transport_keys_config(settings)):
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


async def setup_stream(settings: Settings, timeout: float = 30) -> None:
    """As `admin`: create the stream or bring it to its shape, retrying while
    JetStream (a cluster electing its leader) is not ready."""
    nc = await connect(settings, name="setup", user=ADMIN)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                await ensure_stream(nc.jetstream(), settings)
                return
            except Exception as exc:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                log.warning("stream setup retrying", extra={"error": type(exc).__name__})
                await asyncio.sleep(0.5)
    finally:
        await nc.close()
