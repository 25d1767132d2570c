"""Signed integration events: a consumer applies only what its source signed, on its
source's subjects, in its source's order. A forged, unsigned, replayed or
out-of-order message is parked (kept, not applied, one warning, counted in
/readyz), and the consumer goes on with the next good one."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from nacl.signing import SigningKey
from nats.js import JetStreamContext

from shared.application import ServiceApplication
from shared.config import Settings
from shared.contracts import ReporterMessaged
from shared.messaging.envelope import Envelope
from shared.messaging.signing import HEADER, EventSigner
from shared.parking import PARKED_TOPIC
from tests.integration.test_inbox import melding_received, received_ids
from tests.support import (
    MELDING,
    RunningService,
    eventually,
    jetstream,
    replayed,
    running,
    signed,
    token,
)


def envelope(position: int, source: str = "intake") -> Envelope:
    return Envelope.wrap(melding_received(), source=source, position=position)


async def publish(js: JetStreamContext, envelope: Envelope, headers: dict[str, str],
                  subject: str | None = None) -> int:
    ack = await js.publish(subject or envelope.subject, envelope.encode(), headers=headers)
    return ack.seq


def forged(envelope: Envelope) -> dict[str, str]:
    """Signed, but with a key that is not intake's (someone holding intake's NATS
    credentials, or the NATS admin, without its signing key)."""
    key = base64.b64encode(bytes(SigningKey.generate())).decode()
    return {"Nats-Msg-Id": f"forged-{envelope.position}",
            HEADER: EventSigner(key).sign(envelope.encode())}


def parked(app: ServiceApplication) -> list[Any]:
    notifications = app.recorder.select_notifications(None, 100, topics=[PARKED_TOPIC])
    return [app.mapper.to_domain_event(n) for n in notifications]


async def readyz_parked(service: RunningService) -> int:
    response = await service.client.get("/readyz")
    assert response.status_code == 200, response.text
    return int(response.json()["parked_messages"])


async def test_bad_messages_are_parked_and_the_next_good_one_is_applied(
    sqlite_settings: Settings, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="meldingen.inbox")
    first, second, third = envelope(1), envelope(2), envelope(3)
    async with running("triage", sqlite_settings) as triage, \
            jetstream(sqlite_settings) as js:
        app = triage.application
        await publish(js, second, signed(sqlite_settings, second))
        await eventually(lambda: len(received_ids(app)) == 1)

        bad = [
            # forged: a valid-looking signature by another key
            await publish(js, third, forged(third)),
            # unsigned
            await publish(js, third, {"Nats-Msg-Id": "unsigned"}),
            # replayed: the very bytes and signature of one applied, as a new message
            await publish(js, second, signed(sqlite_settings, second, "replay")),
            # out of order: intake's own signature, but behind what was applied
            await publish(js, first, signed(sqlite_settings, first)),
            # intake's event on investigation's subject
            await publish(js, third, signed(sqlite_settings, third, "elsewhere"),
                          subject="meldingen.investigation.melding_received"),
        ]
        good = await publish(js, third, signed(sqlite_settings, third))

        # The good one after them all is applied; none of the bad ones is.
        await eventually(lambda: len(received_ids(app)) == 2)
        assert received_ids(app) == [second.data["melding_id"], third.data["melding_id"]]
        assert app.recorder.max_tracking_id(sqlite_settings.stream) == good

        # Each is kept with its reason, counted, and logged once by subject and sequence.
        reasons = {p.sequence: p.reason for p in parked(app)}
        assert reasons == {
            bad[0]: "bad signature", bad[1]: "unsigned", bad[2]: "replayed or out of order",
            bad[3]: "replayed or out of order",
            bad[4]: "subject does not match the envelope's source and type"}
        assert base64.b64decode(parked(app)[0].payload) == third.encode()
        assert await readyz_parked(triage) == 5
        warnings = [r for r in caplog.records if r.getMessage() == "message parked"]
        assert sorted(getattr(r, "sequence") for r in warnings) == bad  # noqa: B009
        assert {getattr(r, "subject") for r in warnings} == {  # noqa: B009
            "meldingen.intake.melding_received", "meldingen.investigation.melding_received"}


async def test_a_replay_is_refused_after_a_restart_too(sqlite_settings: Settings) -> None:
    first, second = envelope(1), envelope(2)
    async with jetstream(sqlite_settings) as js:
        async with running("triage", sqlite_settings) as triage:
            await publish(js, first, signed(sqlite_settings, first))
            await eventually(lambda: len(received_ids(triage.application)) == 1)

        # The positions per source are in triage's store, not only in its memory.
        replay = await publish(js, first, signed(sqlite_settings, first, "replay"))
        await publish(js, second, signed(sqlite_settings, second))
        async with running("triage", sqlite_settings) as triage:
            await eventually(lambda: len(received_ids(triage.application)) == 2)
            assert [p.sequence for p in parked(triage.application)] == [replay]
            assert await readyz_parked(triage) == 1


async def test_a_forged_message_never_reaches_the_reporters_mailbox(
    sqlite_settings: Settings,
) -> None:
    async with running("intake", sqlite_settings) as intake, \
            jetstream(sqlite_settings) as js:
        filed = (await intake.client.post("/api/meldingen", json=MELDING)).json()
        login = await intake.client.post("/api/mailbox/login",
                                         json={"receipt": filed["receipt"]})
        mailbox = {"Authorization": f"Bearer {login.json()['token']}"}

        async def bodies() -> list[str]:
            answer = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
            return [m["body"] for m in answer["messages"]]

        before = await bodies()

        def message(body: str, position: int) -> Envelope:
            event = ReporterMessaged(melding_id=filed["id"], body=body, purpose="message",
                                     at=datetime.now(UTC))
            return Envelope.wrap(event, source="triage", position=position)

        lure = message("Stuur uw naam en telefoonnummer naar ...", 1)
        await publish(js, lure, forged(lure))
        real = message("Wij nemen uw melding in behandeling.", 2)
        await publish(js, real, signed(sqlite_settings, real))

        await eventually(lambda: bodies_changed(intake, before, mailbox))
        assert await bodies() == [*before, "Wij nemen uw melding in behandeling."]
        assert await readyz_parked(intake) == 1


async def bodies_changed(intake: RunningService, before: list[str],
                         mailbox: dict[str, str]) -> bool:
    answer = (await intake.client.get("/api/mailbox", headers=mailbox)).json()
    return len(answer["messages"]) > len(before)


async def test_a_forged_event_counts_neither_live_nor_in_the_rebuilt_figures(
    sqlite_settings: Settings,
) -> None:
    good, fake = envelope(1), envelope(2)
    auditor = token(sqlite_settings, "auditor")
    async with jetstream(sqlite_settings) as js:
        async with running("reporting", sqlite_settings) as reporting:
            await publish(js, good, signed(sqlite_settings, good))
            last = await publish(js, fake, forged(fake))
            await eventually(lambda: reporting.application.live.position >= last)
            live = reporting.application.live.snapshot()
            assert live[1] == 1  # one event counted: the forged one is only parked
            replay = (await reporting.client.post("/api/audit/replay", headers=auditor)).json()
            assert replay["matches_live"] is True
        # Rebuilt from the stream at the next start, the figures are the same ...
        async with running("reporting", sqlite_settings) as reporting:
            await eventually(lambda: reporting.application.live.ready.is_set())
            assert reporting.application.live.snapshot() == live
        # ... and so are an auditor's, who checks every signature without the store.
        rebuilt = await replayed(js, sqlite_settings)
        assert (rebuilt.counted, rebuilt.events, rebuilt.digest) == (2, 1, live[2])
