"""Data for the queue and replay scenarios, made of the procedure's own integration
events (shared.contracts) and published on JetStream as the services' relays do:
each source's envelopes numbered and hash-chained (`prev`), with its message id.
The services then take them in through their own consumers; no table is written."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from nats.js import JetStreamContext

from bench.payloads import KINDS, THEMES
from shared.chain import GENESIS, envelope_hash
from shared.config import SERVICES, Settings
from shared.contracts import (
    CaseClosed,
    ContactMomentRecorded,
    FinalReportIssued,
    IntegrationEvent,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingReceived,
    NamedIdentity,
    ReporterMessaged,
)
from shared.keyring import Keyring
from shared.messaging.envelope import Envelope
from shared.messaging.keyed import seal
from shared.messaging.nats import open_stream
from shared.messaging.permissions import ADMIN
from shared.messaging.signing import HEADER, signer_for

YEAR_START = datetime(2025, 1, 1, 9, tzinfo=UTC)
DESCRIPTION = "Een leverancier gaf het afdelingshoofd inkoop een fiets. (bench)"


def received(n: int) -> MeldingReceived:
    """The n-th melding of a year: themes, kinds and days spread over the year."""
    at = YEAR_START + timedelta(minutes=(n * 37) % (360 * 24 * 60))
    anonymous = n % 3 == 0
    return MeldingReceived(
        melding_id=str(uuid.UUID(int=n + 1)), kind=KINDS[n % len(KINDS)],
        theme=THEMES[n % len(THEMES)], channel="web", description=DESCRIPTION,
        involved=["afdelingshoofd inkoop"], occurred=None, anonymous=anonymous,
        identity=None if anonymous else NamedIdentity(name=f"Melder {n}"),
        received_at=at, acknowledged_at=at,
    )


def procedure(n: int) -> Iterator[tuple[str, IntegrationEvent]]:
    """A melding's whole way through the services, as (source, event)."""
    melding = received(n)
    at, mid, theme = melding.received_at, melding.melding_id, melding.theme
    yield "intake", melding
    if n % 4 == 0:
        yield "intake", ContactMomentRecorded(adviser="integrity", theme=theme,
                                              date=at.date())
    yield "triage", MeldingAssessed(
        melding_id=mid, admissible=True, reasonable_grounds=True, code_violation=True,
        severity="medium", theme=theme, advice="investigation", assessed_by="meldpunt",
        at=at + timedelta(days=3))
    yield "triage", MeldingDecided(
        melding_id=mid, outcome=["investigation"], theme=theme, involved=melding.involved,
        assessed_by="meldpunt", decided_by="bevoegd gezag", police_report_on=None,
        at=at + timedelta(days=5))
    yield "investigation", FinalReportIssued(melding_id=mid, conclusion="founded",
                                             at=at + timedelta(days=40))
    yield "investigation", CaseClosed(
        melding_id=mid, path="investigation", measure_kinds=["written_reprimand"],
        measure_targets=["person"], feedback="Uw melding is onderzocht.",
        at=at + timedelta(days=50))
    yield "triage", ReporterMessaged(melding_id=mid, body="Uw melding is onderzocht.",
                                     purpose="feedback", at=at + timedelta(days=51))
    yield "triage", MeldingClosed(melding_id=mid, reason="case_closed",
                                  at=at + timedelta(days=51))


def _keyed(events: Iterator[tuple[str, IntegrationEvent]], keyring: Keyring | None,
           chunk: int = 1000) -> Iterator[tuple[str, IntegrationEvent]]:
    """The events, each chunk's new meldingen given their keys first in one go."""
    while batch := list(itertools.islice(events, chunk)):
        if keyring is not None:
            keyring.create_many(e.melding_id for source, e in batch
                                if source == "intake" and isinstance(e, MeldingReceived))
        yield from batch


def queue_events(count: int) -> Iterator[tuple[str, IntegrationEvent]]:
    return (("intake", received(n)) for n in range(count))


def procedure_events(count: int) -> Iterator[tuple[str, IntegrationEvent]]:
    everything = itertools.chain.from_iterable(procedure(n) for n in itertools.count())
    return itertools.islice(everything, count)


async def publish(settings: Settings, events: Iterator[tuple[str, IntegrationEvent]],
                  window: int = 20_000, *, sealed: bool = False) -> int:
    """Publish the envelopes the relays would, signed and chained, but as plain NATS
    publishes in large batches rather than one acknowledged at a time (an
    acknowledgement per message cost more than the message: a socket write and a
    future each); after each window the stream is waited for until it holds them, and
    at the end it must hold every one. The stream is the same. `sealed`: intake's
    events carry their content encrypted and their key sealed to the consumers, as
    intake's relay sends them (keys made in intake's key store of the stack, as intake
    would)."""
    # As admin, with each source's own signing key: the consumers check both.
    nc, js = await open_stream(settings, "bench-seed", user=ADMIN)
    signers = {source: signer_for(settings, source) for source in SERVICES}
    positions: dict[str, int] = {}
    heads: dict[str, str] = {}
    published = 0
    keyring = Keyring.for_service(settings, "intake") if sealed else None
    try:
        before = (await js.stream_info(settings.stream)).state.messages
        for source, event in _keyed(events, keyring):
            position = positions[source] = positions.get(source, 0) + 1
            envelope = Envelope.wrap(event, source=source, position=position,
                                     prev=heads.get(source, GENESIS))
            if keyring is not None and source == "intake":
                event = seal(event, keyring, envelope.message_id, position)
                envelope = Envelope.wrap(event, source=source, position=position,
                                         prev=heads.get(source, GENESIS))
            payload = envelope.encode()
            heads[source] = envelope_hash(payload)
            await nc.publish(envelope.subject, payload,
                             headers={"Nats-Msg-Id": envelope.message_id,
                                      HEADER: signers[source].sign(payload)})
            published += 1
            if published % window == 0:
                await _stored(js, settings, before + published - window)
        stored = await _stored(js, settings, before + published)
    finally:
        await nc.close()
        if keyring is not None:
            keyring.store.dispose()
    if stored - before < published:
        raise RuntimeError(f"the stream holds {stored - before} of {published} seeded events")
    return published


async def _stored(js: JetStreamContext, settings: Settings, at_least: int,
                  within: float = 120.0) -> int:
    """The stream's message count once it holds `at_least` (or `within` seconds on)."""
    waited = 0.0
    while True:
        stored = int((await js.stream_info(settings.stream)).state.messages)
        if stored >= at_least or waited >= within:
            return stored
        await asyncio.sleep(0.05)
        waited += 0.05
