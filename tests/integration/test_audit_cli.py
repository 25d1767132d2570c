"""`meldingen audit verify` and `meldingen audit replay` as processes of their own,
against a real nats-server and the stores a run left behind."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
import sys
from typing import Any

import pytest
from nacl.signing import SigningKey

from services.reporting.adapters.signing import CheckpointSigner
from services.reporting.bootstrap import create_app
from shared.config import ConfigurationError, Settings
from tests.integration.test_audit_chain import a_run
from tests.support import eventually, running, token


async def meldingen(settings: Settings, *args: str, env: dict[str, str] | None = None
                    ) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "MELDINGEN_VAR_DIR": str(settings.var_dir),
           "MELDINGEN_NATS_URL": settings.nats_url,
           # Nothing listens here: replay runs without a live service to compare with.
           "MELDINGEN_REPORTING_PORT": "9", **(env or {})}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None, err
    return process.returncode, json.loads(out or b"null")


async def test_audit_verify_and_replay_from_the_command_line(sqlite_settings: Settings) -> None:
    await a_run(sqlite_settings)

    code, report = await meldingen(sqlite_settings, "audit", "verify")
    assert code == 0 and report["ok"] is True

    code, first = await meldingen(sqlite_settings, "audit", "replay")
    code, second = await meldingen(sqlite_settings, "audit", "replay", "--every-signature")
    assert code == 0 and first["matches_live"] is None
    assert first["digest"] == second["digest"]  # the chain's proof and every signature
    assert first["events_replayed"] == second["events_replayed"] > 0

    # The service's live figures, rebuilt at its start, have the same digest.
    async with running("reporting", sqlite_settings) as reporting:
        await eventually(lambda: reporting.application.live.ready.is_set())
        live = await reporting.client.get("/api/audit/live",
                                          headers=token(sqlite_settings, "auditor"))
        assert live.json()["digest"] == first["digest"]

    # A deleted stored event makes the command fail and name it.
    with sqlite3.connect(sqlite_settings.var_dir / "intake.sqlite") as db:
        db.execute("DELETE FROM intake_events WHERE id = 1")
    code, report = await meldingen(sqlite_settings, "audit", "verify")
    assert code == 1
    assert report["first_bad"]["chain"] == "store:intake"
    assert report["first_bad"]["position"] == 1


async def test_audit_verify_needs_only_the_public_checkpoint_key(
    sqlite_settings: Settings,
) -> None:
    await a_run(sqlite_settings)
    secret = sqlite_settings.var_dir / "secrets" / "checkpoint_key"
    public_key = CheckpointSigner(sqlite_settings).public_key
    secret.unlink()  # the auditor's machine holds no signing key

    code, report = await meldingen(sqlite_settings, "audit", "verify",
                                   env={"MELDINGEN_CHECKPOINT_PUBLIC_KEY": public_key})
    assert code == 0 and report["ok"] is True, report["misfits"]
    assert not secret.exists()

    other = base64.b64encode(bytes(SigningKey.generate().verify_key)).decode()
    code, report = await meldingen(sqlite_settings, "audit", "verify",
                                   env={"MELDINGEN_CHECKPOINT_PUBLIC_KEY": other})
    assert code == 1
    assert "signature does not verify" in report["first_bad"]["reason"]


def test_reporting_refuses_a_public_key_that_is_not_its_signing_keys(
    sqlite_settings: Settings,
) -> None:
    other = base64.b64encode(bytes(SigningKey.generate().verify_key)).decode()
    with pytest.raises(ConfigurationError, match="MELDINGEN_CHECKPOINT_PUBLIC_KEY"):
        create_app(sqlite_settings.model_copy(update={"checkpoint_public_key": other}))
