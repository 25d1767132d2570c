"""Tamper evidence over the real services: every chain fits after a normal run (also
across a relay restart), and an altered byte, a deleted event, a forged message or
a cut-off end makes verify fail and name the place."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import orjson
from nats.js import JetStreamContext

from shared.chain import envelope_hash
from shared.config import Settings
from tests.support import MELDING, RunningService, eventually, jetstream, running, token

SERVICES = ("intake", "triage", "reporting")


async def settled(services: dict[str, RunningService]) -> None:
    """Every relay has published and sealed all it stored; reporting counted it all."""
    def relays_done() -> bool:
        return all(
            s.app.state.parts.runtime.relay is not None
            and s.app.state.parts.runtime.relay.position()
            == (s.application.recorder.max_notification_id() or 0)
            for s in services.values())

    await eventually(relays_done, timeout=20)
    async with jetstream(services["reporting"].app.state.parts.companion.settings) as js:
        last = (await js.stream_info("MELDINGEN")).state.last_seq
    await eventually(lambda: services["reporting"].application.live.position >= last,
                     timeout=20)


@asynccontextmanager
async def platform(settings: Settings) -> AsyncIterator[dict[str, RunningService]]:
    async with AsyncExitStack() as stack:
        services = {name: await stack.enter_async_context(running(name, settings))
                    for name in SERVICES}
        yield services


async def file_meldingen(intake: RunningService, count: int) -> None:
    for _ in range(count):
        response = await intake.client.post("/api/meldingen", json=MELDING)
        assert response.status_code == 201, response.text


async def verify(settings: Settings) -> dict[str, Any]:
    async with running("reporting", settings) as reporting:
        await eventually(lambda: reporting.application.live.ready.is_set())
        response = await reporting.client.get("/api/audit/verify",
                                              headers=token(settings, "auditor"))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


async def message(js: JetStreamContext, sequence: int | None = None,
                  last_of: str | None = None) -> tuple[int, bytes]:
    """(sequence, payload) of one message, or of the last on `last_of`."""
    msg = (await js.get_msg("MELDINGEN", sequence) if sequence is not None
           else await js.get_last_msg("MELDINGEN", str(last_of)))
    assert msg.seq is not None and msg.data is not None
    return msg.seq, msg.data


def sqlite(settings: Settings, service: str) -> sqlite3.Connection:
    return sqlite3.connect(settings.var_dir / f"{service}.sqlite")


async def signed_checkpoint(services: dict[str, RunningService]) -> dict[str, Any]:
    """Sign a checkpoint now and wait until it is on the stream."""
    await settled(services)
    result: dict[str, Any] = await services["reporting"].app.state.parts.companion.checkpoint()
    await settled(services)
    return result


async def a_run(settings: Settings, meldingen: int = 3) -> None:
    async with platform(settings) as services:
        await file_meldingen(services["intake"], meldingen)
        await signed_checkpoint(services)


async def test_a_normal_run_verifies_across_a_relay_restart(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings, 2)
    # Intake restarts: its relay continues both chains from the recorded heads.
    await a_run(sqlite_settings, 2)
    report = await verify(sqlite_settings)
    assert report["ok"] is True, report["first_bad"]
    assert report["first_bad"] is None
    chains = {chain["chain"]: chain for chain in report["chains"]}
    assert chains["stream:intake"]["events"] == 4
    assert chains["store:intake"]["events"] >= 4
    assert chains["store:triage"]["events"] >= 4
    assert report["checkpoint"] is not None
    # Metadata only: no melding's content reaches the auditor.
    assert str(MELDING["description"]) not in orjson.dumps(report).decode()
    # Only the auditor verifies.
    async with running("reporting", sqlite_settings) as reporting:
        board = token(sqlite_settings, "competent_authority")
        assert (await reporting.client.get("/api/audit/verify",
                                           headers=board)).status_code == 403


async def test_one_altered_byte_in_the_sqlite_store_is_named(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings)
    with sqlite(sqlite_settings, "intake") as db:
        position, state = db.execute("SELECT id, state FROM intake_events ORDER BY id "
                                     "LIMIT 1 OFFSET 2").fetchone()
        altered = bytes([state[0] ^ 1]) + bytes(state[1:])
        db.execute("UPDATE intake_events SET state = ? WHERE id = ?", (altered, position))
    report = await verify(sqlite_settings)
    assert report["ok"] is False
    assert report["first_bad"]["chain"] == "store:intake"
    assert report["first_bad"]["position"] == position


async def test_a_deleted_stored_event_is_named(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings)
    with sqlite(sqlite_settings, "triage") as db:
        (position,) = db.execute("SELECT id FROM triage_events ORDER BY id "
                                 "LIMIT 1 OFFSET 1").fetchone()
        db.execute("DELETE FROM triage_events WHERE id = ?", (position,))
    report = await verify(sqlite_settings)
    assert report["ok"] is False
    assert report["first_bad"]["chain"] == "store:triage"
    assert report["first_bad"]["position"] == position


async def test_a_cut_off_end_of_a_store_is_caught_by_the_signed_checkpoint(
    sqlite_settings: Settings,
) -> None:
    await a_run(sqlite_settings)
    with sqlite(sqlite_settings, "intake") as db:
        ids = [row[0] for row in db.execute("SELECT id FROM intake_events ORDER BY id")]
        # The last two events go, and every seal with them: the store itself fits.
        db.execute("DELETE FROM intake_events WHERE id >= ?", (ids[-2],))
        db.execute("DELETE FROM intake_chain")
    report = await verify(sqlite_settings)
    assert report["ok"] is False
    assert report["first_bad"]["chain"] == "store:intake"
    assert report["first_bad"]["position"] == ids[-2]
    assert "cut off" in report["first_bad"]["reason"]


async def test_a_cut_off_end_of_the_stream_is_caught_by_the_signed_checkpoint(
    sqlite_settings: Settings,
) -> None:
    await a_run(sqlite_settings)
    async with jetstream(sqlite_settings) as js:
        # Intake's last message (the stream's last is reporting's checkpoint).
        sequence, data = await message(js, last_of="meldingen.intake.>")
        position = orjson.loads(data)["position"]
        await js.delete_msg("MELDINGEN", sequence)
    report = await verify(sqlite_settings)
    assert report["ok"] is False
    assert report["first_bad"]["chain"] == "stream:intake"
    assert report["first_bad"]["position"] == position
    assert "cut off" in report["first_bad"]["reason"]


async def test_a_forged_message_is_named_whether_or_not_it_fits_the_chain(
    sqlite_settings: Settings,
) -> None:
    await a_run(sqlite_settings)
    async with jetstream(sqlite_settings) as js:
        real = orjson.loads((await message(js, 1))[1])
        # A copy with another theme, republished under a new message id.
        forged = {**real, "data": {**real["data"], "theme": "other"}}
        ack = await js.publish("meldingen.intake.melding_received", orjson.dumps(forged),
                               headers={"Nats-Msg-Id": "forged-1"})
    report = await verify(sqlite_settings)
    assert report["ok"] is False
    assert report["first_bad"]["chain"] == "stream:intake"
    assert report["first_bad"]["sequence"] == ack.seq


async def test_a_forged_message_that_extends_the_chain_is_named(
    sqlite_settings: Settings,
) -> None:
    await a_run(sqlite_settings)
    async with jetstream(sqlite_settings) as js:
        _, head = await message(js, last_of="meldingen.intake.>")
        real = orjson.loads(head)
        # It names the true head as its prev and a position after the last one.
        forged = {**real, "position": real["position"] + 1, "prev": envelope_hash(head)}
        await js.publish("meldingen.intake.melding_received",
                         orjson.dumps(forged, option=orjson.OPT_SORT_KEYS),
                         headers={"Nats-Msg-Id": "forged-2"})
    report = await verify(sqlite_settings)
    assert report["ok"] is False
    assert report["first_bad"]["chain"] == "stream:intake"
    assert report["first_bad"]["position"] == real["position"] + 1
