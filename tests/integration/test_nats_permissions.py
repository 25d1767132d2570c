"""The bus is closed: no anonymous client, and each user (a service, the auditor)
may do only what shared/messaging/permissions.py grants it, against a real
nats-server started as the embedded run starts it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import ConsumerConfig

from services.reporting.adapters.stream import read_stream
from shared.config import Settings
from shared.devsecrets import MAKERS
from shared.messaging.credentials import public_key
from shared.messaging.envelope import Envelope
from shared.messaging.epochs import key_value
from shared.messaging.permissions import inbox_prefix
from shared.transportkeys import transport_bucket
from tests.integration.test_inbox import melding_received
from tests.support import NatsServer, eventually, jetstream, signed


class Session:
    """A client connected as one user, collecting what the server refused."""

    def __init__(self, nc: Client, errors: list[Exception]) -> None:
        self.nc = nc
        self.errors = errors

    async def refused(self, expected: str) -> bool:
        """Whether the server said so (its -ERR comes asynchronously)."""
        def said() -> bool:
            return any("permissions violation" in str(e) and expected.lower() in str(e).lower()
                       for e in self.errors)
        await self.nc.flush()
        with contextlib.suppress(AssertionError):
            await eventually(said, timeout=2)
        return said()


@asynccontextmanager
async def connected_as(server: NatsServer, user: str) -> AsyncIterator[Session]:
    errors: list[Exception] = []

    async def collect(error: Exception) -> None:
        errors.append(error)

    nc = await nats.connect(server.url, nkeys_seed_str=server.settings.nats_seed_of(user),
                            inbox_prefix=inbox_prefix(user), error_cb=collect,
                            allow_reconnect=False)
    try:
        yield Session(nc, errors)
    finally:
        await nc.close()


async def stored_messages(settings: Settings) -> int:
    async with jetstream(settings) as js:
        return (await js.stream_info(settings.stream)).state.messages


async def test_an_anonymous_client_is_refused(nats_server: NatsServer) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(nats_server.url, allow_reconnect=False, connect_timeout=2)


async def test_a_key_the_server_does_not_know_is_refused(nats_server: NatsServer) -> None:
    stranger = MAKERS["nkey"]()
    assert public_key(stranger).startswith("U")  # a valid user key
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(nats_server.url, nkeys_seed_str=stranger, allow_reconnect=False,
                           connect_timeout=2)


async def test_a_services_credentials_are_refused_on_another_services_subjects(
    nats_server: NatsServer, sqlite_settings: Settings,
) -> None:
    envelope = Envelope.wrap(melding_received(), source="intake", position=1)
    async with connected_as(nats_server, "triage") as triage:
        js = triage.nc.jetstream()
        # Triage's credentials cannot put a melding in intake's name on the stream ...
        with pytest.raises(nats.errors.TimeoutError):
            await js.publish(envelope.subject, envelope.encode(), timeout=1,
                             headers=signed(sqlite_settings, envelope))
        assert await triage.refused(f'publish to "{envelope.subject}"')
        # ... while its own subjects are open to it.
        await js.publish("meldingen.triage.probe", b"{}", timeout=5)
    assert await stored_messages(sqlite_settings) == 1


async def test_a_service_reads_and_manages_nothing_but_its_own_consumer(
    nats_server: NatsServer, sqlite_settings: Settings,
) -> None:
    stream = sqlite_settings.stream
    async with connected_as(nats_server, "triage") as triage:
        js = triage.nc.jetstream(timeout=1)  # a refused request is only a silence
        # Its own durable consumer: created, pulled from, deleted.
        await js.add_consumer(stream, ConsumerConfig(durable_name="triage",
                                                     filter_subjects=["meldingen.intake.>"]))
        subscription = await js.pull_subscribe_bind(durable="triage", stream=stream)
        with pytest.raises(nats.errors.TimeoutError):
            await subscription.fetch(1, timeout=0.5)  # empty, but allowed
        assert await js.delete_consumer(stream, "triage")
        assert triage.errors == []

        # Everything else is refused by the server.
        await triage.nc.subscribe("meldingen.>")
        assert await triage.refused('subscription to "meldingen.>"')
        await triage.nc.subscribe("_INBOX.intake.>")  # intake's replies and deliveries
        assert await triage.refused('subscription to "_INBOX.intake.>"')
        for attempt, subject in [
            (js.add_consumer(stream, ConsumerConfig(durable_name="intake")),
             f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.intake"),
            (js.consumer_info(stream, "reporting"), f"$JS.API.CONSUMER.INFO.{stream}.reporting"),
            (js.delete_consumer(stream, "intake"), f"$JS.API.CONSUMER.DELETE.{stream}.intake"),
            (js.delete_stream(stream), f"$JS.API.STREAM.DELETE.{stream}"),
            (js.purge_stream(stream), f"$JS.API.STREAM.PURGE.{stream}"),
        ]:
            with pytest.raises(nats.errors.TimeoutError):
                await attempt
            assert await triage.refused(f'publish to "{subject}"'), subject
        # No ephemeral consumer either: it would read every service's messages.
        request = json.dumps({"stream_name": stream, "config": {}}).encode()
        with pytest.raises(nats.errors.TimeoutError):
            await triage.nc.request(f"$JS.API.CONSUMER.CREATE.{stream}", request, timeout=1)
        assert await triage.refused(f'publish to "$JS.API.CONSUMER.CREATE.{stream}"')


async def test_the_auditor_reads_the_whole_stream_and_writes_nothing(
    nats_server: NatsServer, sqlite_settings: Settings,
) -> None:
    stream = sqlite_settings.stream
    async with jetstream(sqlite_settings) as admin:
        for position in (1, 2):
            envelope = Envelope.wrap(melding_received(), source="intake", position=position)
            await admin.publish(envelope.subject, envelope.encode(),
                                headers=signed(sqlite_settings, envelope))
    async with connected_as(nats_server, "auditor") as auditor:
        js = auditor.nc.jetstream()
        seen: list[int] = []
        assert await read_stream(js, stream, lambda seq, *_: seen.append(seq)) == 2
        assert seen == [1, 2]
        with pytest.raises(nats.errors.TimeoutError):
            await js.publish("meldingen.reporting.checkpoint", b"{}", timeout=1)
        assert await auditor.refused('publish to "meldingen.reporting.checkpoint"')
        # The ephemeral consumer it may create cannot be made a durable in disguise.
        request = json.dumps({"stream_name": stream,
                              "config": {"durable_name": "triage"}}).encode()
        answer = await auditor.nc.request(f"$JS.API.CONSUMER.CREATE.{stream}", request,
                                          timeout=5)
        assert "error" in json.loads(answer.data)
    async with jetstream(sqlite_settings) as admin:
        assert [c.name for c in await admin.consumers_info(stream)
                if c.config.durable_name] == []


async def test_a_receiver_puts_only_its_own_transport_key_and_senders_get_it(
    nats_server: NatsServer, sqlite_settings: Settings,
) -> None:
    kv_name = transport_bucket(sqlite_settings.stream)
    async with connected_as(nats_server, "triage") as triage:
        kv = key_value(triage.nc.jetstream(timeout=1), sqlite_settings)
        await kv.put("triage", b"triage's own")
        with pytest.raises(nats.errors.TimeoutError):
            await kv.put("investigation", b"in investigation's name")
        assert await triage.refused(f'publish to "$KV.{kv_name}.investigation"')
    async with connected_as(nats_server, "intake") as intake:
        kv = key_value(intake.nc.jetstream(timeout=1), sqlite_settings)
        assert (await kv.get("triage")).value == b"triage's own"
        with pytest.raises(nats.errors.TimeoutError):  # a sender offers no key
            await kv.put("triage", b"a key intake would read")
        assert await intake.refused(f'publish to "$KV.{kv_name}.triage"')
    async with jetstream(sqlite_settings) as admin:
        assert (await key_value(admin, sqlite_settings).get("triage")).value == b"triage's own"
