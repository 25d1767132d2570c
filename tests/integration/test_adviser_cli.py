"""The confidential adviser's CLI against a real intake on a port: `meldingen adviser
keygen` and `meldingen adviser reveal`, run as the adviser would run them."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import uvicorn
from fastapi import FastAPI
from nacl.public import PublicKey, SealedBox

from services.intake.bootstrap import create_app
from shared import natsserver
from shared.auth import issue_token
from shared.config import Settings
from tests.support import MELDING

IDENTITY = {"name": "Ruben Onthuld", "email": "ruben.onthuld@example.org"}
ANONYMOUS = {**MELDING, "anonymous": True, "identity": IDENTITY}
PASSPHRASE = "een lange en geheime zin"


@dataclass
class Result:
    code: int
    out: str
    err: str


async def meldingen(settings: Settings, *args: str, **env: str) -> Result:
    """The CLI in its own process, configured only through the environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    environment.update({"MELDINGEN_VAR_DIR": str(settings.var_dir),
                        "MELDINGEN_HOST": settings.host,
                        "MELDINGEN_INTAKE_PORT": str(settings.intake_port), **env})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", *args, env=environment,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())


@dataclass
class Intake:
    client: httpx.AsyncClient
    app: FastAPI

    async def file(self, melding: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post("/api/meldingen", json=melding)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Intake]:
    """Intake on a real port (the CLI talks HTTP to it), in this test's event loop."""
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.intake_port,
                                           log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "intake did not start"
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://{settings.host}:{settings.intake_port}",
                                     timeout=10) as client:
            yield Intake(client, app)
    finally:
        server.should_exit = True
        await task


def on_a_port(settings: Settings, **overrides: object) -> Settings:
    return settings.model_copy(update={"intake_port": natsserver.free_port(), **overrides})


async def keygen(settings: Settings, out: Path, *options: str) -> tuple[str, str]:
    made = await meldingen(settings, "adviser", "keygen", "--out", str(out), "--strength",
                           "interactive", *options, MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
    assert made.code == 0, made.err
    key_id = re.search(r"key_id\s+(\S+)", made.out)
    public_key = re.search(r"public_key\s+(\S+)", made.out)
    assert key_id and public_key
    return key_id[1], public_key[1]


async def test_reveal_opens_the_identity_in_the_embedded_run(sqlite_settings: Settings) -> None:
    settings = on_a_port(sqlite_settings)
    async with serving(settings) as intake:
        filed = await intake.file(ANONYMOUS)

        # No flags: the development key under var/, a token made with the dev secret.
        revealed = await meldingen(settings, "adviser", "reveal", filed["id"],
                                   "--sub", "vpi-karin")
        assert revealed.code == 0, revealed.err
        assert IDENTITY["name"] in revealed.out and IDENTITY["email"] in revealed.out

        # The conduct adviser's (VPOO) melding opens with VPOO's own development key:
        # the command handles both advisers and picks the key by the sealed key_id.
        conduct = await intake.file({**ANONYMOUS, "kind": "undesirable_behaviour"})
        by_vpoo = await meldingen(settings, "adviser", "reveal", conduct["id"],
                                  "--sub", "vpoo-olga")
        assert by_vpoo.code == 0, by_vpoo.err
        assert IDENTITY["name"] in by_vpoo.out

        # The fetch is on record, with who asked.
        report = intake.app.state.parts.application.get_report(UUID(filed["id"]))
        assert [read["by"] for read in report.identity_reads] == ["vpi-karin"]

        # A wrong passphrase fails with a clear message and reveals nothing.
        wrong = await meldingen(settings, "adviser", "reveal", filed["id"],
                                MELDINGEN_ADVISER_PASSPHRASE="not the passphrase")
        assert wrong.code == 1
        assert "wrong passphrase" in wrong.err
        assert IDENTITY["name"] not in wrong.out + wrong.err

        # An unknown melding, or a token of another role, is refused plainly.
        unknown = await meldingen(settings, "adviser", "reveal",
                                  "7d4f8a1e-0000-4000-8000-000000000000")
        assert unknown.code == 1 and "does not exist" in unknown.err
        meldpunt = issue_token(settings, sub="marie", role="meldpunt")
        refused = await meldingen(settings, "adviser", "reveal", filed["id"],
                                  MELDINGEN_ADVISER_TOKEN=meldpunt)
        assert refused.code == 1 and "refused the token (403)" in refused.err


async def test_keygen_and_rotation_old_meldingen_still_open(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    old_file, new_file = tmp_path / "adviser-2025.key", tmp_path / "adviser-2026.key"
    old_id, old_public = await keygen(sqlite_settings, old_file)
    new_id, new_public = await keygen(sqlite_settings, new_file)
    assert PASSPHRASE not in old_file.read_text()

    # Intake knows both public keys, the newest last; the private keys stay with us.
    keys = tmp_path / "adviser.pub"
    keys.write_text(f"{old_public}\n{new_public}\n")
    settings = on_a_port(sqlite_settings, adviser_public_key_file=keys)
    async with serving(settings) as intake:
        server_sealed = await intake.file(ANONYMOUS)
        box = SealedBox(PublicKey(base64.b64decode(old_public)))
        sealed = base64.b64encode(box.encrypt(json.dumps(IDENTITY).encode())).decode()
        browser_sealed = await intake.file({**MELDING, "anonymous": True, "identity": None,
                                            "identity_sealed": sealed, "key_id": old_id})

        for filed in (server_sealed, browser_sealed):
            revealed = await meldingen(
                settings, "adviser", "reveal", filed["id"], "--key", str(old_file),
                "--key", str(new_file), MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
            assert revealed.code == 0, revealed.err
            assert IDENTITY["email"] in revealed.out

        # Without the old key file, the old melding says which key it needs.
        missing = await meldingen(settings, "adviser", "reveal", browser_sealed["id"],
                                  "--key", str(new_file), MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
        assert missing.code == 1
        assert old_id in missing.err and new_id in missing.err


async def test_the_conduct_adviser_rotates_their_own_key(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    """VPOO's keys apart from VPI's: intake seals undesirable behaviour to VPOO's newest
    key, VPOO's key file opens it after the rotation, VPI's does not."""
    vpi_file = tmp_path / "vpi.key"
    old_file, new_file = tmp_path / "vpoo-2025.key", tmp_path / "vpoo-2026.key"
    _, vpi_public = await keygen(sqlite_settings, vpi_file)
    _, old_public = await keygen(sqlite_settings, old_file, "--adviser", "conduct")
    new_id, new_public = await keygen(sqlite_settings, new_file, "--adviser", "conduct")
    hint = await meldingen(sqlite_settings, "adviser", "keygen", "--out",
                           str(tmp_path / "vpoo-2027.key"), "--strength", "interactive",
                           "--adviser", "conduct", MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
    assert "MELDINGEN_CONDUCT_ADVISER_PUBLIC_KEY_FILE" in hint.err

    vpi_keys, vpoo_keys = tmp_path / "vpi.pub", tmp_path / "vpoo.pub"
    vpi_keys.write_text(f"{vpi_public}\n")
    vpoo_keys.write_text(f"{old_public}\n{new_public}\n")
    settings = on_a_port(sqlite_settings, adviser_public_key=None,
                         conduct_adviser_public_key=None, adviser_public_key_file=vpi_keys,
                         conduct_adviser_public_key_file=vpoo_keys)
    async with serving(settings) as intake:
        conduct = await intake.file({**ANONYMOUS, "kind": "undesirable_behaviour"})
        by_vpoo = await meldingen(settings, "adviser", "reveal", conduct["id"], "--key",
                                  str(new_file), MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
        assert by_vpoo.code == 0, by_vpoo.err
        assert IDENTITY["email"] in by_vpoo.out
        by_vpi = await meldingen(settings, "adviser", "reveal", conduct["id"], "--key",
                                 str(vpi_file), "--key", str(old_file),
                                 MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
        assert by_vpi.code == 1 and new_id in by_vpi.err
        assert IDENTITY["email"] not in by_vpi.out + by_vpi.err


async def test_keygen_never_overwrites_a_key(sqlite_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "adviser.key"
    await keygen(sqlite_settings, path)
    before = path.read_bytes()
    again = await meldingen(sqlite_settings, "adviser", "keygen", "--out", str(path),
                            MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
    assert again.code == 1 and "never overwritten" in again.err
    assert path.read_bytes() == before


async def test_reveal_in_production_needs_only_the_advisers_own_files(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    """On the adviser's machine: the key file, its passphrase, a token (from the console)
    and intake's address; no JWKS, cipher key, receipt key or var/ of any service."""
    key_file = tmp_path / "adviser.key"
    _, public = await keygen(sqlite_settings, key_file)
    keys = tmp_path / "adviser.pub"
    keys.write_text(f"{public}\n")
    settings = on_a_port(sqlite_settings, adviser_public_key_file=keys)
    nothing = tmp_path / "adviser-machine"
    async with serving(settings) as intake:
        filed = await intake.file(ANONYMOUS)
        revealed = await meldingen(
            settings, "adviser", "reveal", filed["id"], "--key", str(key_file),
            MELDINGEN_ENV="production", MELDINGEN_VAR_DIR=str(nothing),
            MELDINGEN_INTAKE_URL=f"http://{settings.host}:{settings.intake_port}",
            MELDINGEN_ADVISER_TOKEN=issue_token(settings, sub="vpi-karin",
                                                role="confidential_adviser"),
            MELDINGEN_ADVISER_PASSPHRASE=PASSPHRASE)
        assert revealed.code == 0, revealed.err
        assert IDENTITY["name"] in revealed.out
        # Without a token or an address it says which is missing; it makes none itself.
        for missing, hint in (("MELDINGEN_ADVISER_TOKEN", "--token"),
                              ("MELDINGEN_INTAKE_URL", "--url")):
            env = {"MELDINGEN_ENV": "production", "MELDINGEN_VAR_DIR": str(nothing),
                   "MELDINGEN_INTAKE_URL": "http://127.0.0.1:1", "MELDINGEN_ADVISER_TOKEN": "t",
                   "MELDINGEN_ADVISER_PASSPHRASE": PASSPHRASE}
            del env[missing]
            refused = await meldingen(settings, "adviser", "reveal", filed["id"], "--key",
                                      str(key_file), **env)
            assert refused.code == 1 and hint in refused.err, refused.err
    assert not nothing.exists()


async def test_keygen_refuses_a_weak_passphrase(sqlite_settings: Settings, tmp_path: Path) -> None:
    """Long is not strong: a strength estimate decides, and no key file is written."""
    for weak in ("Welkom01Welkom01", "wachtwoord12345", "short"):
        path = tmp_path / "weak.key"
        refused = await meldingen(sqlite_settings, "adviser", "keygen", "--out", str(path),
                                  "--strength", "interactive", MELDINGEN_ADVISER_PASSPHRASE=weak)
        assert refused.code == 1, weak
        assert "too weak" in refused.err or "at least 12" in refused.err, refused.err
        assert weak not in refused.err + refused.out
        assert not path.exists()
