"""The full replay, its signatures proved along each source's chain a chunk at a time
or each checked in worker threads (`every_signature`), still counts exactly what
reporting's inbox applied: forged and unsigned messages between the genuine ones,
across chunks, change no figure."""

from __future__ import annotations

import base64
import uuid

import orjson
import pytest
from nacl.signing import SigningKey

from services.reporting.adapters import replay
from services.reporting.adapters.signatures import EverySignature
from services.reporting.domain.figures import AnnualFigures
from shared.chain import GENESIS, envelope_hash
from shared.config import Settings
from shared.messaging.envelope import Envelope
from shared.messaging.signing import HEADER, EventSigner
from tests.integration.test_reporting_year import caught_up
from tests.support import jetstream, replayed, running, signed
from tests.unit.test_annual_report import SOURCE, scripted_year


@pytest.mark.parametrize("every_signature", [False, True])
async def test_a_full_replay_counts_what_the_inbox_applied(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, every_signature: bool,
) -> None:
    settings = sqlite_settings
    # Many chunks from one year.
    monkeypatch.setattr(EverySignature, "CHUNK", 16)
    monkeypatch.setattr(replay.ChainChunks, "CHUNK", 16)
    outsider = EventSigner(base64.b64encode(bytes(SigningKey.generate())).decode())
    positions: dict[str, int] = {}
    heads: dict[str, str] = {}
    genuine = AnnualFigures()
    bad = last = 0
    async with jetstream(settings) as js, running("reporting", settings) as reporting:
        for index, event in enumerate(scripted_year()):
            source = SOURCE[event.type]
            positions[source] = positions.get(source, 0) + 1
            envelope = Envelope.wrap(event, source=source, position=positions[source],
                                     prev=heads.get(source, GENESIS))
            payload = envelope.encode()
            last = (await js.publish(envelope.subject, payload,
                                     headers=signed(settings, envelope))).seq
            heads[source] = envelope_hash(payload)
            body = orjson.loads(payload)
            genuine.apply(body["type"], body["data"])
            if event.type != "melding_received" or index % 3:
                continue
            # The next position with another melding: counted if its signature were not
            # checked, or checked against the wrong message.
            copy = event.model_copy(update={"melding_id": str(uuid.uuid4())})
            fake = Envelope.wrap(copy, source=source, position=positions[source] + 1,
                                 prev=heads[source])
            for headers in ({HEADER: outsider.sign(fake.encode())}, {}):
                bad += 1
                last = (await js.publish(fake.subject, fake.encode(), headers={
                    "Nats-Msg-Id": f"bad-{bad}", **headers})).seq
        await caught_up(reporting, last)
        live = reporting.application.live
        _, _, live_digest = live.snapshot()

        rebuilt = await replayed(js, settings, every_signature=every_signature)

    assert bad >= 4
    assert rebuilt.last == last
    assert rebuilt.counted == last  # every message read, the bad ones too
    assert rebuilt.digest == live_digest == genuine.digest()
