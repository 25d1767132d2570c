"""Runs the load generator as its own process and reads its result."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from typing import Any

from bench.procs import REPO


def load(spec: dict[str, Any]) -> dict[str, Any]:
    """One bounded load run (see bench.loadgen for the spec)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(spec, file)
        file.flush()
        limit = float(spec["duration"]) + 180
        done = subprocess.run([sys.executable, "-m", "bench.loadgen", file.name], cwd=REPO,
                              capture_output=True, text=True, timeout=limit, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result
