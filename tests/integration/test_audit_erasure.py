"""An audit no single insider can rewrite: each erasure of issue 13, done as the
attacker did it (plain SQL on a stopped system's stores, or the NATS administrator's
own API on the stream), is named by verify, even with the matching seals and
checkpoints gone too. The checkpoints live in three places: reporting's store, the
stream, and (optionally) an append-only log."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from nacl.signing import SigningKey

from services.reporting.domain.checkpoint import signed_bytes
from shared.config import Settings
from shared.contracts import CheckpointSigned
from shared.messaging.envelope import Envelope
from tests.integration.test_audit_chain import (
    a_run,
    file_meldingen,
    message,
    platform,
    signed_checkpoint,
    sqlite,
    verify,
)
from tests.integration.test_privacy_sealing import ANONYMOUS
from tests.support import jetstream, token

CHECKPOINT_SUBJECT = "meldingen.reporting.checkpoint_signed"
SQL = Callable[..., list[Any]]


def misfit(report: dict[str, Any], chain: str) -> dict[str, Any]:
    """The misfit verify names for `chain` (each chain's first, and the checkpoints')."""
    named: list[dict[str, Any]] = [m for m in report["misfits"] if m["chain"] == chain]
    assert named, f"nothing named for {chain}: {report['misfits']}"
    return named[0]


@contextmanager
def as_database_admin(settings: Settings, service: str) -> Iterator[SQL]:
    """Plain SQL on a stopped system's store, SQLite or PostgreSQL; `{events}`,
    `{chain}`, `{snapshots}` and `{rewrites}` name the service's tables."""
    names = {t: f"{service}_{t}" for t in ("events", "chain", "snapshots", "rewrites")}
    if settings.database_url is None:
        with sqlite(settings, service) as db:
            yield lambda sql, *args: db.execute(sql.format(**names), args).fetchall()
        return
    names = {t: f'"{service}"."{table}"' for t, table in names.items()}
    engine = sqlalchemy.create_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            def run(sql: str, *args: Any) -> list[Any]:
                result = connection.exec_driver_sql(sql.format(**names).replace("?", "%s"),
                                                    args)
                return list(result.fetchall()) if result.returns_rows else []
            yield run
    finally:
        engine.dispose()


def erase_checkpoints_from_the_store(settings: Settings, newer_than: int = 0) -> None:
    """As the database administrator: the checkpoints after `newer_than` and every
    seal of reporting's store go."""
    with as_database_admin(settings, "reporting") as sql:
        rows = sql("SELECT id FROM {events} ORDER BY id")
        # The first event is the aggregate's start, each later one a checkpoint.
        doomed = rows[1 + newer_than:] if newer_than else rows
        for (position,) in doomed:
            sql("DELETE FROM {events} WHERE id = ?", position)
        sql("DELETE FROM {chain}")
        sql("DELETE FROM {snapshots}")


async def checkpoints_on_the_stream(settings: Settings) -> list[int]:
    async with jetstream(settings) as js:
        last = (await js.stream_info(settings.stream)).state.last_seq
        return [seq for seq in range(1, last + 1)
                if (await js.get_msg(settings.stream, seq)).subject == CHECKPOINT_SUBJECT]


async def test_a_deleted_tail_with_its_seals_and_the_newest_checkpoint_is_named(
    settings: Settings,
) -> None:
    await a_run(settings, 2)
    with as_database_admin(settings, "intake") as sql:
        [(before,)] = sql("SELECT max(id) FROM {events}")
    await a_run(settings, 2)  # checkpoint 2 signs the new end
    with as_database_admin(settings, "intake") as sql:
        sql("DELETE FROM {events} WHERE id > ?", before)
        sql("DELETE FROM {chain}")
    erase_checkpoints_from_the_store(settings, newer_than=1)

    report = await verify(settings)
    assert report["ok"] is False
    store = misfit(report, "store:intake")
    assert store["position"] == before + 1
    assert "checkpoint 2 recorded it as stored" in store["reason"]
    assert "cut off" in store["reason"]
    gone = misfit(report, "checkpoint")
    assert gone["position"] == 2
    assert "missing from reporting's store" in gone["reason"]


async def test_deleted_identity_reads_with_their_seals_and_every_checkpoint_are_named(
    sqlite_settings: Settings,
) -> None:
    async with platform(sqlite_settings) as services:
        intake = services["intake"]
        filed = (await intake.client.post("/api/meldingen", json=ANONYMOUS)).json()
        adviser = token(sqlite_settings, "confidential_adviser", "vpi-karin")
        read = await intake.client.get(f"/api/meldingen/{filed['id']}/sealed-identity",
                                       headers=adviser)
        assert read.status_code == 200
        await file_meldingen(intake, 1)
        await signed_checkpoint(services)
    with sqlite(sqlite_settings, "intake") as db:
        reads = [row[0] for row in db.execute(
            "SELECT id FROM intake_events WHERE topic LIKE '%SealedIdentityRead' ORDER BY id")]
        assert reads
        db.execute("DELETE FROM intake_events WHERE topic LIKE '%SealedIdentityRead'")
        db.execute("DELETE FROM intake_chain")
    erase_checkpoints_from_the_store(sqlite_settings)

    report = await verify(sqlite_settings)
    assert report["ok"] is False
    store = misfit(report, "store:intake")
    assert store["position"] == reads[0]
    assert "checkpoint 1 recorded it as stored, but it is missing" in store["reason"]
    assert "missing from reporting's store" in misfit(report, "checkpoint")["reason"]


async def test_an_emptied_store_and_its_chain_are_named(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings)
    with sqlite(sqlite_settings, "triage") as db:
        (first,) = db.execute("SELECT min(id) FROM triage_events").fetchone()
        db.execute("DELETE FROM triage_events")
        db.execute("DELETE FROM triage_chain")

    report = await verify(sqlite_settings)
    assert report["ok"] is False
    store = misfit(report, "store:triage")
    assert store["position"] == first
    assert "cut off" in store["reason"]


async def test_checkpoints_deleted_from_the_store_are_named(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings)
    erase_checkpoints_from_the_store(sqlite_settings)

    report = await verify(sqlite_settings)
    assert report["ok"] is False
    gone = misfit(report, "checkpoint")
    assert gone["position"] == 1
    assert "missing from reporting's store" in gone["reason"]


async def test_checkpoints_deleted_from_the_stream_are_named(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings)
    # As the NATS administrator: the checkpoints go from the stream.
    sequences = await checkpoints_on_the_stream(sqlite_settings)
    assert sequences
    async with jetstream(sqlite_settings) as js:
        for sequence in sequences:
            await js.delete_msg(sqlite_settings.stream, sequence)

    report = await verify(sqlite_settings)
    assert report["ok"] is False
    gone = misfit(report, "checkpoint")
    assert gone["position"] == 1
    assert "missing from the stream" in gone["reason"]


async def test_a_checkpoint_deleted_from_both_is_named_by_the_checkpoint_log(
    sqlite_settings: Settings, tmp_path: Path,
) -> None:
    settings = sqlite_settings.model_copy(
        update={"checkpoint_log_file": tmp_path / "worm" / "checkpoints.jsonl"})
    await a_run(settings)
    assert settings.checkpoint_log_file is not None
    assert settings.checkpoint_log_file.read_text().count("\n") == 1
    # The database and the NATS administrator together: both copies go.
    erase_checkpoints_from_the_store(settings)
    async with jetstream(settings) as js:
        for sequence in await checkpoints_on_the_stream(settings):
            await js.delete_msg(settings.stream, sequence)

    report = await verify(settings)
    assert report["ok"] is False
    reasons = [m["reason"] for m in report["misfits"] if m["chain"] == "checkpoint"]
    assert any("missing from reporting's store, though the checkpoint log" in r
               for r in reasons), reasons
    assert any("missing from the stream" in r for r in reasons), reasons


async def test_one_forged_message_does_not_stop_the_checkpoints(
    sqlite_settings: Settings, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="meldingen.audit")
    async with platform(sqlite_settings) as services:
        await file_meldingen(services["intake"], 1)
        await signed_checkpoint(services)
        async with jetstream(sqlite_settings) as js:
            _, real = await message(js, 1)
            await js.publish("meldingen.intake.melding_received", real,
                             headers={"Nats-Msg-Id": "forged-3"})
        forged_at = await signed_checkpoint(services)
        assert forged_at["recorded"] is True
        assert forged_at["verification"]["first_bad"]["chain"] == "stream:intake"
        # Nothing changed since: no new checkpoint, and no new warning.
        assert (await signed_checkpoint(services))["recorded"] is False
        # New events are anchored by the next checkpoint all the same.
        await file_meldingen(services["intake"], 1)
        later = await signed_checkpoint(services)
        assert later["recorded"] is True and later["number"] == forged_at["number"] + 1
    # One warning for the one misfit, not one a minute.
    warned = [r for r in caplog.records if r.name == "meldingen.audit"]
    assert [r.getMessage() for r in warned] == [
        "checkpoint signed over chains that do not fit"]
    with sqlite(sqlite_settings, "intake") as db:
        (last,) = db.execute("SELECT max(id) FROM intake_events").fetchone()
        db.execute("DELETE FROM intake_events WHERE id = ?", (last,))
        db.execute("DELETE FROM intake_chain")

    report = await verify(sqlite_settings)
    assert report["first_bad"]["chain"] == "stream:intake"
    assert misfit(report, "store:intake")["position"] == last


async def test_a_checkpoint_forged_on_the_stream_is_named_and_not_trusted(
    sqlite_settings: Settings,
) -> None:
    await a_run(sqlite_settings)
    # As the NATS administrator: a checkpoint 2, signed with a key of their own, that
    # claims intake stored ids it never had (trusted, it would accuse the store).
    key = SigningKey.generate()
    heads = [{"chain": "store:intake", "events": 99, "head": "0" * 64, "position": 99,
              "ids": [[1, 99]]}]
    signed_at = "2026-01-01T00:00:00+00:00"
    signature = base64.b64encode(key.sign(signed_bytes(2, heads, [], signed_at)).signature)
    forged = Envelope.wrap(CheckpointSigned(
        number=2, heads=heads, misfits=[], signed_at=signed_at,
        public_key=base64.b64encode(bytes(key.verify_key)).decode(),
        signature=signature.decode()), source="reporting", position=10_000)
    async with jetstream(sqlite_settings) as js:
        await js.publish(forged.subject, forged.encode(), headers={"Nats-Msg-Id": "forged-4"})

    report = await verify(sqlite_settings)
    checkpoints = [m for m in report["misfits"] if m["chain"] == "checkpoint"]
    assert {"chain": "checkpoint", "position": 2, "reason": "the checkpoint's signature "
            "does not verify (in the stream)"} in checkpoints
    assert not [m for m in report["misfits"] if m["chain"] == "store:intake"]
