"""The raw limits beneath the scenarios, measured in the same run: the event store's
append alone, JetStream publish-to-consume latency, and reading a stream with nats-py."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from bench.bare_app import Probe, ProbeStore
from bench.payloads import melding
from bench.stats import summary
from shared.config import Settings
from shared.eventstore import store_environment
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN


def store_append(settings: Settings, *, count: int, seconds: float) -> dict[str, Any]:
    """Saves of one aggregate, one after another, through intake's store configuration."""
    store = ProbeStore(store_environment(settings, "intake"))
    body = melding("named", 0)
    latencies: list[float] = []
    started = time.perf_counter()
    try:
        while len(latencies) < count and time.perf_counter() - started < seconds:
            before = time.perf_counter()
            store.save(Probe(body=body))
            latencies.append((time.perf_counter() - before) * 1000)
    finally:
        store.close()
    elapsed = time.perf_counter() - started
    return {"saves": len(latencies), "rate_per_s": round(len(latencies) / elapsed, 1),
            "latency": summary(latencies)}


async def jetstream_latency(settings: Settings, *, rate: float, count: int,
                            seconds: float) -> dict[str, Any]:
    """Publish-and-wait with message ids (as the relay does) at a steady rate, consumed
    by a durable pull consumer fetching in batches (as the inbox does)."""
    nc = await connect(settings, "bench-raw", user=ADMIN)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="BENCHRAW", subjects=["benchraw.>"],
                                     storage=StorageType.FILE))
    await js.add_consumer("BENCHRAW", ConsumerConfig(
        durable_name="raw", ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
        max_ack_pending=200))
    subscription = await js.pull_subscribe_bind(durable="raw", stream="BENCHRAW")
    latencies: list[float] = []
    filler = b"x" * 600  # about the size of a melding_received envelope
    sent = 0

    async def consume() -> None:
        while not (publishing.done() and len(latencies) >= sent):
            try:
                messages = await subscription.fetch(100, timeout=0.5)
            except nats.errors.TimeoutError:
                continue
            for message in messages:
                (stamp,) = struct.unpack_from("d", message.data)
                latencies.append((time.perf_counter() - stamp) * 1000)
                await message.ack()

    async def publish() -> None:
        nonlocal sent
        started = time.perf_counter()
        while sent < count and time.perf_counter() - started < seconds:
            due = started + sent / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            payload = struct.pack("d", time.perf_counter()) + filler
            await js.publish(f"benchraw.{sent % 8}", payload, timeout=5.0,
                             headers={"Nats-Msg-Id": f"raw:{sent}"})
            sent += 1

    publishing = asyncio.ensure_future(publish())
    try:
        await asyncio.wait_for(asyncio.gather(publishing, consume()), timeout=seconds + 30)
    finally:
        await js.delete_stream("BENCHRAW")
        await nc.close()
    return {"rate_per_s": rate, "messages": sent, "consumed": len(latencies),
            "latency": summary(latencies)}


async def stream_read_rate(settings: Settings, stream: str, *, expected: int,
                           seconds: float) -> dict[str, Any]:
    """Every message of the stream from the first, through an ordered push consumer
    (no acks, flow control): what a replay could read at most."""
    nc = await connect(settings, "bench-raw", user=ADMIN)
    js = nc.jetstream()
    done = asyncio.get_running_loop().create_future()
    received = 0

    async def on_message(_: Any) -> None:
        nonlocal received
        received += 1
        if received >= expected and not done.done():
            done.set_result(None)

    started, cpu = time.perf_counter(), time.process_time()
    subscription = await js.subscribe(">", stream=stream, ordered_consumer=True,
                                      cb=on_message, deliver_policy=DeliverPolicy.ALL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done, timeout=seconds)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await subscription.unsubscribe()
    await nc.close()
    return {"messages": received, "elapsed_s": round(elapsed, 2),
            "rate_per_s": round(received / elapsed, 1),
            "cpu_us_per_event": round(cpu / max(received, 1) * 1e6, 2)}
