"""Runs the real OpenID provider of tests/oidc (npm package oidc-provider, lock file
beside it) with the machine's Node.js, installing it with `npm ci` the first time."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared import natsserver

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str


def installed() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js (node and npm) is not installed"
    if not (HERE / "node_modules" / "oidc-provider").exists():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            return f"npm ci failed: {done.stderr[-500:]}"
    return None


@contextmanager
def running(redirect_uri: str, log: Path) -> Iterator[Provider]:
    port = natsserver.free_port()
    provider = Provider(f"http://127.0.0.1:{port}", "meldingen-console", "test-client-secret")
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), str(port), provider.client_id,
             provider.client_secret, redirect_uri], cwd=HERE, stdout=out,
            stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{provider.issuer}/.well-known/openid-configuration",
                              timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the OpenID provider did not start: {log}") from None
                    time.sleep(0.1)
            yield provider
        finally:
            process.terminate()
            process.wait(timeout=10)
