"""Meldingen filed before per-melding keys (docs/privacy.md, "Meldingen filed before
keys"): filed and walked to their closing as the code did before keys (no keyring in
any service: content in the clear in every store and on the stream; a receipt as a
`Receipt` aggregate, before the receipt book), then `meldingen retention migrate`
with the services stopped. Afterwards the stores hold their content only under the
melding's key, the stream's copies in the clear are gone, the receipt is in the
receipt book and its event names nothing, verify and replay fit; shredding then
leaves nothing of it in any store or on the stream with every key left on the
machine. A second run changes nothing; a run cut off midway finishes; a rewrite
without its signed record is named."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
import pytest
from nats.js.errors import NotFoundError

from services.intake.adapters.receipt_book import RETIRED_MELDING
from services.intake.domain.report import Receipt
from shared import legacy
from shared.config import Settings
from shared.keyedfields import KeyedApplication
from shared.keystore import KeyStore
from shared.legacy_stream import StreamMigrated, migrate_stream, publish_record
from shared.messaging.rewrites import SUBJECTS, StreamRewrite
from shared.messaging.signing import EventSigner, signer_for
from tests.integration import reader
from tests.integration.test_audit_chain import sqlite, verify
from tests.integration.test_audit_erasure import as_database_admin, misfit
from tests.integration.test_shredding import (
    MELDPUNT,
    closed_after_conversation,
    file,
    gone,
    receipt_rows,
)
from tests.integration.test_shredding_leaves_nothing import DESCRIPTION, DISTINCTIVE, found
from tests.support import MELDING, RunningService, eventually, jetstream, ok, running, token

HOLDERS = ("intake", "triage", "investigation", "reporting")
#: Investigation's minutes and measures never travel (its `case_closed` carries the
#: feedback only), nor do the desk's notes.
ON_NO_STREAM = ("Gesprek gevoerd", "Training over geschenken", "Notitie over de paarse")


@asynccontextmanager
async def system(settings: Settings) -> AsyncIterator[dict[str, RunningService]]:
    async with AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(running(name, settings))
               for name in HOLDERS}


async def all_sealed(s: dict[str, RunningService], settings: Settings) -> None:
    """Every relay has published and chained all its store holds, and every inbox has
    applied all it was sent."""
    def sealed() -> bool:
        return all(service.app.state.parts.runtime.relay is not None
                   and service.app.state.parts.runtime.relay.position()
                   == (service.application.recorder.max_notification_id() or 0)
                   for service in s.values())

    await eventually(sealed, timeout=20)
    async with jetstream(settings) as js:
        async def consumed() -> bool:
            return not any(c.num_pending or c.num_ack_pending
                           for c in await js.consumers_info(settings.stream))

        await eventually(consumed, timeout=20)


async def migrated(settings: Settings) -> tuple[legacy.Migrated, StreamMigrated]:
    """`meldingen retention migrate`: the stores, then the stream."""
    stores = legacy.migrate(settings)
    signers = {service: signer_for(settings, service) for service in legacy.HOLDERS}
    return stores, await migrate_stream(settings, signers)


def as_before_keys(intake: RunningService, receipt: str, melding_id: str) -> None:
    """The receipt as intake kept it before the receipt book: an aggregate in its
    event store, and no row."""
    application = intake.application
    digest = application.receipts.digest(receipt)
    application.save(Receipt(digest=digest, report_id=UUID(melding_id)))
    book = application.receipt_book
    with book.keys.engine.begin() as connection:
        connection.execute(book.table.delete().where(book.table.c.melding_id == melding_id))


async def filed_before_keys(settings: Settings, monkeypatch: pytest.MonkeyPatch
                            ) -> tuple[str, str, str]:
    """A melding with every distinctive string, filed and closed by services without
    keys (the code before them), its receipt kept as before the receipt book; and the
    receipt of another, still open."""
    with monkeypatch.context() as patched:
        patched.setattr(KeyedApplication, "use_keyring", lambda *_, **__: None)
        async with system(settings) as s:
            meldpunt = MELDPUNT[0]
            triage, intake = s["triage"].client, s["intake"].client
            still_open = (await ok(intake.post("/api/meldingen", json={
                **MELDING, "description": "Een melding die nog loopt.",
                "anonymous": True, "identity": None}), 201))["receipt"]
            melding_id, receipt = await file(s, DESCRIPTION)
            as_before_keys(s["intake"], receipt, melding_id)
            await ok(triage.post(f"/api/meldingen/{melding_id}/messages", headers=meldpunt,
                                 json={"body": "Wij nemen contact op over de zilveren pen."}))
            mailbox = await ok(intake.post("/api/mailbox/login", json={"receipt": receipt}))
            reporter = {"Authorization": f"Bearer {mailbox['token']}"}
            await ok(intake.post("/api/mailbox/messages", headers=reporter,
                                 json={"body": "Ik heb nog een foto van de oranje fiets."}),
                     201)
            await ok(triage.post(f"/api/meldingen/{melding_id}/notes", headers=meldpunt,
                                 json={"body": "Notitie over de paarse envelop."}), 201)

            async def replied() -> bool:
                melding = await ok(triage.get(f"/api/meldingen/{melding_id}",
                                              headers=meldpunt))
                return "oranje" in str(melding)

            await eventually(replied)
            await closed_after_conversation(s, settings, melding_id)
            await all_sealed(s, settings)
    return melding_id, receipt, still_open


async def command(settings: Settings, *args: str) -> list[str]:
    """A `meldingen` command as a process of its own; the lines it printed."""
    env = {**os.environ, "MELDINGEN_VAR_DIR": str(settings.var_dir),
           "MELDINGEN_NATS_URL": settings.nats_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err
    return out.decode().splitlines()


def receipt_event(settings: Settings, receipt: str) -> Any:
    """The receipt's aggregate in intake's store, as intake reads it."""
    application = importlib.import_module(
        "services.intake.bootstrap").build_application(settings)
    try:
        return application.repository.get(Receipt.create_id(application.receipts.digest(
            receipt)))
    finally:
        application.close()


async def audit(s: dict[str, RunningService], settings: Settings) -> None:
    """Verify says ok and the replay rebuilds the live figures."""
    auditor, reporting = token(settings, "auditor"), s["reporting"].client
    await all_sealed(s, settings)
    report = await ok(reporting.get("/api/audit/verify", headers=auditor))
    assert report["ok"] is True, report["first_bad"]
    replay = await ok(reporting.post("/api/audit/replay", headers=auditor))
    assert replay["matches_live"] is True


async def test_a_melding_from_before_keys_is_migrated_then_shredded_to_nothing(
        sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sqlite_settings  # the default terms: nothing is due yet
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    melding_id, receipt, still_open = await filed_before_keys(settings, monkeypatch)

    # Before: no key anywhere, and every string in the stores in the clear; the
    # stream carries the description, the identity and the messages.
    assert reader.kept_keys(settings) == []
    assert found(reader.store_text(settings, [])) == list(DISTINCTIVE)
    on_stream = found(reader.stream_text(await reader.stream_messages(settings), []))
    assert on_stream == [s for s in DISTINCTIVE if s not in ON_NO_STREAM]
    assert melding_id not in receipt_rows(settings)
    assert receipt_event(settings, receipt).report_id == UUID(melding_id)

    with sqlite(settings, "intake") as db:
        [(filed_state,)] = db.execute("SELECT state FROM intake_events WHERE topic LIKE "
                                      "'%Report.Filed' LIMIT 1")

    stores, stream = await migrated(settings)
    assert melding_id in stores.meldingen and len(stores.meldingen) == 2
    # The replaced bytes are gone from the file and its write-ahead log, not only
    # from the table.
    assert bytes(filed_state)[16:80] not in b"".join(
        p.read_bytes() for p in settings.var_dir.glob("intake.sqlite*"))
    assert all(stores.rewritten[s] > 0 for s in ("intake", "triage", "investigation"))
    assert not any(stores.unchained.values())
    assert stream.erased > 0 and not stream.waiting
    # Twice, now as the command: nothing more to do.
    assert await command(settings, "retention", "migrate") == [
        "0 meldingen from before keys migrated",
        "stream: 0 messages with content in the clear taken off",
        "stream: 0 messages of shredded meldingen with a key sealed to a fixed pair "
        "taken off"]
    assert found(reader.stream_text(await reader.stream_messages(settings), [])) == []

    # The stores hold the content only under the melding's one key, in every holder.
    keys = reader.kept_keys(settings)
    ours = [k for k in keys if k.melding_id == melding_id]
    assert len({k.secret for k in ours}) == 1 and len(ours) == 3
    assert found(reader.store_text(settings, [])) == []
    assert found(reader.store_text(settings, keys)) == list(DISTINCTIVE)
    # The receipt moved into the book; its event names neither hash nor melding.
    assert melding_id in receipt_rows(settings)
    assert receipt_event(settings, receipt).report_id == RETIRED_MELDING

    async with system(settings) as s:
        meldpunt, triage, intake = MELDPUNT[0], s["triage"].client, s["intake"].client
        melding = await ok(triage.get(f"/api/meldingen/{melding_id}", headers=meldpunt))
        assert melding["description"] == DESCRIPTION
        assert (await intake.post("/api/mailbox/login",
                                  json={"receipt": receipt})).status_code == 200
        # An open one's content travels under its key from now on, and triage reads it.
        mailbox = await ok(intake.post("/api/mailbox/login", json={"receipt": still_open}))
        reporter = {"Authorization": f"Bearer {mailbox['token']}"}
        open_id = (await ok(intake.get("/api/mailbox", headers=reporter)))["id"]
        await ok(intake.post("/api/mailbox/messages", headers=reporter,
                             json={"body": "Nog een woord over de groene gieter."}), 201)

        async def replied() -> bool:
            return "groene gieter" in str(await ok(triage.get(
                f"/api/meldingen/{open_id}", headers=meldpunt)))

        await eventually(replied)
        await audit(s, settings)
        messages = await reader.stream_messages(settings)
        assert "groene gieter" not in reader.stream_text(messages, [])
        assert "groene gieter" in reader.stream_text(messages, reader.kept_keys(settings))

    # A 0-day term: triage's check at its start shreds it, as `retention run` would.
    settings = settings.model_copy(update={"retention_days": 0})
    async with system(settings) as s:
        intake, authority = s["intake"].client, token(settings, "competent_authority")

        async def shredded_everywhere() -> bool:
            case = await s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                       headers=authority)
            login = await intake.post("/api/mailbox/login", json={"receipt": receipt})
            return case.status_code == 410 and login.status_code == 401

        await eventually(shredded_everywhere)
        await audit(s, settings)

    # After: no store holds any of it, with every key left on the machine.
    keys = reader.kept_keys(settings)
    assert not [k for k in keys if k.melding_id == melding_id]
    assert found(reader.store_text(settings, keys)) == []
    messages = await reader.stream_messages(settings)
    everything = reader.stream_text(messages, keys + reader.sealed_keys(messages, settings))
    assert found(everything) == []
    assert melding_id not in receipt_rows(settings)


class CutOff(EventSigner):
    """The service's own signer, whose process dies at its `after`-th signature."""

    def __init__(self, seed_b64: str, after: int) -> None:
        super().__init__(seed_b64)
        self.left = after

    def sign(self, payload: bytes) -> str:
        self.left -= 1
        if self.left < 0:
            raise SystemExit("cut off")
        return super().sign(payload)


async def test_a_migration_cut_off_midway_finishes_on_the_next_run(
        sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sqlite_settings
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    melding_id, _, _ = await filed_before_keys(settings, monkeypatch)
    apps = {service: importlib.import_module(f"services.{service}.bootstrap")
            .build_application(settings) for service in legacy.HOLDERS}
    seeds = {service: settings.event_signing_seed_of(service) for service in legacy.HOLDERS}
    try:
        with pytest.raises(SystemExit):
            legacy.migrate_stores(apps, {
                service: CutOff(seed, after=2 if service == "triage" else 100)
                for service, seed in seeds.items()})
    finally:
        for app in apps.values():
            app.close()

    # The stream's part cut off too: one message's record went out, the message stayed.
    async with jetstream(settings) as js:
        sequence = 0
        while True:
            sequence += 1
            message = await js.get_msg(settings.stream, sequence)
            assert message.data is not None
            record = StreamRewrite.of(sequence, message.data, signer_for(settings, "intake"))
            if record is not None:
                break
        await publish_record(js, settings.stream, record, signer_for(settings, "intake"))

    finished, stream = await migrated(settings)
    assert melding_id in finished.meldingen
    # Intake was done, triage cut off after two: the rest is done now, once.
    assert finished.rewritten["intake"] == 0
    assert finished.rewritten["triage"] > 0 and finished.rewritten["investigation"] > 0
    assert found(reader.store_text(settings, [])) == []
    ours = [k for k in reader.kept_keys(settings) if k.melding_id == melding_id]
    assert len({k.secret for k in ours}) == 1 and len(ours) == 3
    # That message went too, and its record is on the stream once.
    async with jetstream(settings) as js:
        info = await js.stream_info(settings.stream, subjects_filter=SUBJECTS)
        assert sum((info.state.subjects or {}).values()) == stream.erased
        with pytest.raises(NotFoundError):
            await js.get_msg(settings.stream, sequence)
    assert found(reader.stream_text(await reader.stream_messages(settings), [])) == []
    async with system(settings) as s:
        melding = await ok(s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                                  headers=MELDPUNT[0]))
        assert melding["description"] == DESCRIPTION
        await audit(s, settings)


async def test_a_rewrite_without_its_signed_record_is_named(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The records open no hole: a rewritten event altered again, an event of another
    store rewritten with its record gone, and a record taken off the stream: each is
    named by verify, as any alteration."""
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    melding_id, _, _ = await filed_before_keys(settings, monkeypatch)
    stores, _ = await migrated(settings)
    assert melding_id in stores.meldingen
    assert (await verify(settings))["ok"] is True
    with as_database_admin(settings, "intake") as sql:
        [(rewritten, state)] = sql("SELECT id, state FROM {events} ORDER BY id LIMIT 1")
        sql("UPDATE {events} SET state = ? WHERE id = ?",
            bytes([state[0] ^ 1]) + bytes(state[1:]), rewritten)
    with as_database_admin(settings, "triage") as sql:
        sql("DELETE FROM {rewrites}")
    async with jetstream(settings) as js:
        record = await js.get_msg(settings.stream, 1, subject=SUBJECTS, next=True)
        erased = int(orjson.loads(record.data or b"{}")["sequence"])
        await js.delete_msg(settings.stream, record.seq)
    report = await verify(settings)
    assert report["ok"] is False
    assert misfit(report, "store:intake")["position"] == rewritten
    assert "differs from the one recorded" in misfit(report, "store:triage")["reason"]
    stream = misfit(report, f"stream:{orjson.loads(record.data or b'{}')['source']}")
    assert "its prev is not the hash" in stream["reason"]
    assert stream["sequence"] > erased


async def test_a_melding_shredded_before_its_migration_ends_with_it(
        sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shredded before keys, its key's tombstone was all shredding could leave: the
    migration rewrites its events under a key nobody keeps, so they end at once, and
    every holder reads it as shredded on the day triage shredded it."""
    settings = sqlite_settings
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    melding_id, _, _ = await filed_before_keys(settings, monkeypatch)
    day = datetime(2026, 3, 2, 12, tzinfo=UTC)
    keys = KeyStore.for_service(settings, "triage")
    try:
        keys.destroy(melding_id, day, "conversation")
    finally:
        keys.dispose()

    stores, _ = await migrated(settings)
    assert melding_id in stores.meldingen
    assert not [k for k in reader.kept_keys(settings) if k.melding_id == melding_id]
    assert found(reader.store_text(settings, reader.kept_keys(settings))) == []
    async with system(settings) as s:
        authority = token(settings, "competent_authority")
        gone(await s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                          headers=MELDPUNT[0]), "2026-03-02")
        gone(await s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                 headers=authority), "2026-03-02")
        await audit(s, settings)
