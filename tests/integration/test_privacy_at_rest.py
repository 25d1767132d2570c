"""The privacy promise, end to end: after a full run with an anonymous melding, no file
under the var dir (event stores with their -wal files, the NATS store, the logs)
holds the reporter's name or e-mail, the receipt code, the description or the
mailbox messages in the clear, nor on PostgreSQL any row of any table of any
service's schema; and no response to the meldpunt, an investigator, the competent
authority or an auditor contains the identity."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import uuid
import zlib
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy

from shared import natsserver
from shared.config import SERVICES, Settings
from shared.crypto import derive_key
from shared.logging import JsonFormatter
from shared.messaging.credentials import development_authorization
from shared.messaging.nats import setup_stream
from tests.support import (
    MELDING,
    RunningService,
    assessment,
    eventually,
    in_thread,
    listed,
    make_settings,
    running,
    token,
)


@dataclass
class EmbeddedRun:
    settings: Settings
    nats: subprocess.Popen[bytes]

    def stop_nats(self) -> None:
        if self.nats.poll() is None:
            self.nats.terminate()
            self.nats.wait(timeout=10)


@pytest.fixture
def embedded(tmp_path: Path, database_url: str | None) -> Iterator[EmbeddedRun]:
    """Everything under one var dir, as in the embedded run: the SQLite stores (or a
    schema per service on PostgreSQL), the NATS store (encrypted with the key
    `meldingen run` gives it) and the logs."""
    var = tmp_path / "var"
    port = natsserver.free_port()
    settings = make_settings(var, f"nats://127.0.0.1:{port}", database_url,
                             default_competent_authority="competent_authority-1")
    (var / "logs").mkdir(parents=True)
    run = EmbeddedRun(settings, natsserver.start(
        port, var / "nats", log_file=var / "logs" / "nats.log",
        authorization=development_authorization(settings),
        encryption_key=derive_key(settings.cipher_key_b64, "nats-store").hex()))
    in_thread(setup_stream(settings))
    yield run
    run.stop_nats()


@contextmanager
def logging_to(path: Path) -> Iterator[None]:
    """The services' log lines, as `meldingen run` writes them, into a file under var/."""
    handler = logging.FileHandler(path)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def files_containing(var: Path, secrets: dict[str, str]) -> list[str]:
    found = []
    for path in sorted(p for p in var.rglob("*") if p.is_file()):
        content = path.read_bytes()
        found += [f"{what} in {path.relative_to(var)}" for what, text in secrets.items()
                  if text.encode() in content]
    return found


def as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    return str(value).encode()


def rows_containing(url: str, secrets: dict[str, str]) -> list[str]:
    """Every row of every table of every service's schema, each column's bytes (text
    and JSON as written, bytea raw), searched as the files are."""
    engine = sqlalchemy.create_engine(url)
    found: list[str] = []
    try:
        with engine.connect() as connection:
            tables = connection.execute(sqlalchemy.text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")).all()
            schemas = {schema for schema, _ in tables}
            assert schemas >= set(SERVICES), schemas  # the dump saw every store
            for schema, table in tables:
                for row in connection.execute(sqlalchemy.text(
                        f'SELECT * FROM "{schema}"."{table}"')):
                    content = b"\0".join(as_bytes(value) for value in row)
                    found += [f"{what} in {schema}.{table}" for what, text in secrets.items()
                              if text.encode() in content]
    finally:
        engine.dispose()
    return found


def stored_states(settings: Settings, service: str) -> list[bytes]:
    if settings.database_url is None:
        with sqlite3.connect(settings.var_dir / f"{service}.sqlite") as db:
            return [row[0] for row in db.execute(f"SELECT state FROM {service}_events")]
    engine = sqlalchemy.create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return [bytes(row[0]) for row in connection.execute(sqlalchemy.text(
                f'SELECT state FROM "{service}"."{service}_events"'))]
    finally:
        engine.dispose()


def assert_events_encrypted(settings: Settings) -> None:
    """Compression alone would hide the text from a byte search: make sure every
    stored event's state is ciphertext, not merely zlib."""
    for service in SERVICES:
        for state in stored_states(settings, service):
            with pytest.raises(zlib.error):
                zlib.decompress(state)


def assert_nothing_readable(settings: Settings, secrets: dict[str, str]) -> None:
    assert files_containing(settings.var_dir, secrets) == []
    if settings.database_url is not None:
        assert rows_containing(settings.database_url, secrets) == []


async def test_nothing_readable_at_rest_and_no_identity_for_other_roles(
    embedded: EmbeddedRun,
) -> None:
    settings = embedded.settings
    var = settings.var_dir
    unique = uuid.uuid4().hex[:10]
    secret = {
        "name": f"Femke Geheim{unique}",
        "email": f"femke.{unique}@example.org",
        "description": f"De leverancier {unique} betaalde de wethouder een reis.",
        "reply": f"Ik heb de factuur {unique} bewaard.",
    }
    melding = {**MELDING, "anonymous": True, "description": secret["description"],
               "identity": {"name": secret["name"], "email": secret["email"]}}
    staff_answers: list[tuple[str, httpx.Response]] = []

    async def as_role(service: RunningService, role: str, method: str, path: str,
                      **kwargs: object) -> httpx.Response:
        headers = token(settings, role, f"{role}-1")
        response = await service.client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        staff_answers.append((f"{role} {method} {service.name}{path}", response))
        return response

    with logging_to(var / "logs" / "services.log"):
        async with AsyncExitStack() as stack:
            intake, triage, investigation, reporting, _console = [
                await stack.enter_async_context(running(name, settings)) for name in SERVICES]

            # An anonymous reporter files a melding and keeps the receipt.
            filed = (await intake.client.post("/api/meldingen", json=melding)).json()
            melding_id, receipt = filed["id"], filed["receipt"]
            secret["receipt"], secret["receipt digits"] = receipt, receipt.replace(" ", "")

            # The reporter opens the mailbox and adds information.
            session = (await intake.client.post("/api/mailbox/login",
                                                json={"receipt": receipt})).json()
            mailbox = {"Authorization": f"Bearer {session['token']}"}
            replied = await intake.client.post("/api/mailbox/messages", headers=mailbox,
                                               json={"body": secret["reply"]})
            assert replied.status_code == 201

            # The meldpunt reads the melding and the reply (both over NATS), assesses, and
            # the competent authority decides on an investigation.
            async def in_triage() -> bool:
                answer = await as_role(triage, "meldpunt", "GET", f"/api/meldingen/{melding_id}")
                return answer.status_code == 200 and secret["reply"] in answer.text

            await eventually(in_triage)
            assessed = await as_role(
                triage, "meldpunt", "POST", f"/api/meldingen/{melding_id}/assessment",
                          json=assessment(severity="high"))
            decided = await as_role(
                triage, "competent_authority", "POST", f"/api/meldingen/{melding_id}/decision",
                json={"outcome": ["investigation"], "motivation": "Onderzoeken."})
            assert assessed.status_code == 200, assessed.text
            assert decided.status_code == 200, decided.text
            await as_role(triage, "meldpunt", "POST", f"/api/meldingen/{melding_id}/messages",
                          json={"body": "Wij starten een onderzoek."})

            async def case_opened() -> bool:
                answer = await as_role(investigation, "competent_authority", "GET",
                                       f"/api/cases/{melding_id}")
                return answer.status_code == 200

            await eventually(case_opened)
            listed(investigation, "investigator-1", "investigator")
            await as_role(investigation, "competent_authority", "POST",
                          f"/api/cases/{melding_id}/investigators",
                          json={"investigators": ["investigator-1"]})

            # The message from the meldpunt reaches the mailbox over NATS.
            async def message_arrived() -> bool:
                answer = await intake.client.get("/api/mailbox", headers=mailbox)
                return "onderzoek" in answer.text

            await eventually(message_arrived)

            # The confidential adviser fetches ciphertext only, and counts a contact moment.
            adviser = token(settings, "confidential_adviser", "vpi-1")
            sealed = await intake.client.get(f"/api/meldingen/{melding_id}/sealed-identity",
                                             headers=adviser)
            assert sealed.status_code == 200 and secret["name"] not in sealed.text
            await intake.client.post("/api/contact-moments", headers=adviser, json={
                "adviser": "integrity", "theme": "gifts",
                "date": datetime.now(UTC).date().isoformat()})

            # Everything the other roles can read.
            year = datetime.now(UTC).year
            for role in ("meldpunt", "competent_authority"):
                await as_role(triage, role, "GET", "/api/meldingen")
                await as_role(triage, role, "GET", f"/api/meldingen/{melding_id}")
            for role in ("investigator", "competent_authority"):
                await as_role(investigation, role, "GET", "/api/cases")
                await as_role(investigation, role, "GET", f"/api/cases/{melding_id}")
            for role in ("auditor", "competent_authority"):
                await as_role(reporting, role, "GET", f"/api/reports/annual?year={year}")
            await as_role(reporting, "auditor", "GET", "/api/audit/verify")
            await as_role(reporting, "auditor", "POST", "/api/audit/replay")
            for role in ("meldpunt", "investigator", "competent_authority", "auditor"):
                await as_role(intake, role, "GET", f"/api/meldingen/{melding_id}/sealed-identity")

            # While running (the -wal files still hold the latest writes).
            assert_nothing_readable(settings, secret)

    # After shutdown: the stores checkpointed, the NATS store flushed on exit.
    embedded.stop_nats()
    assert_nothing_readable(settings, secret)
    assert_events_encrypted(settings)
    assert (var / "nats" / "jetstream").exists() and (var / "logs" / "services.log").stat().st_size

    leaks = [what for what, answer in staff_answers
             if secret["name"] in answer.text or secret["email"] in answer.text]
    assert leaks == []
    # No secret key (JWT, cipher, receipt, mailbox, adviser, checkpoint) leaves its file.
    keys = {f"key {path.name}": path.read_text().strip()
            for path in (var / "secrets").iterdir() if path.is_file()}
    assert keys
    outside = [found for found in files_containing(var, keys)
               if not found.split(" in ", 1)[1].startswith("secrets")]
    assert outside == []
    if settings.database_url is not None:
        assert rows_containing(settings.database_url, keys) == []
        # The search reads real rows: the melding's id is stored in the clear.
        assert rows_containing(settings.database_url, {"id": melding_id})
    assert [what for what, answer in staff_answers
            if any(key in answer.text for key in keys.values())] == []
    # The staff did see the melding itself (so the check above looked at real answers).
    assert any(secret["description"] in answer.text for _, answer in staff_answers)
