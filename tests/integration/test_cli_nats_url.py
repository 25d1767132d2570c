"""Every command finds NATS the one way the services do: `meldingen audit replay` given
only MELDINGEN_NATS_PORT talks to that server, not to whatever runs on 14222."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from shared import natsserver
from shared.config import Settings
from tests.support import NatsServer

ROOT = Path(__file__).resolve().parents[2]


async def test_audit_replay_finds_nats_by_its_port_alone(
    sqlite_settings: Settings, nats_server: NatsServer
) -> None:
    # The fixture's server already holds the stream (made by its admin user).
    env = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    env.update(MELDINGEN_VAR_DIR=str(sqlite_settings.var_dir),
               MELDINGEN_NATS_PORT=str(nats_server.port),
               MELDINGEN_REPORTING_PORT=str(natsserver.free_port()))
    result = subprocess.run([sys.executable, "-m", "shared.cli", "audit", "replay"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["events_replayed"] == 0
