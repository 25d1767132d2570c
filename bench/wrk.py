"""The cross-check of the load generator (bench.loadgen) against wrk on one endpoint:
the same path, clients and duration, one after the other, so that a figure of the
generator can be trusted as one of the service (issue 23). wrk comes from Debian
(`apt-get install wrk`); without it the check says so instead of failing the run."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, headers: dict[str, str], *, clients: int, seconds: int) -> dict[str, Any]:
    binary = shutil.which("wrk")
    if binary is None:
        return {"error": "wrk is not installed (Debian: apt-get install wrk)"}
    args = [binary, "-t1", f"-c{clients}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    done = subprocess.run([*args, url], capture_output=True, text=True,
                          timeout=seconds + 60, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-500:]}
    return parse(done.stdout)


def parse(output: str) -> dict[str, Any]:
    """Throughput, the latency percentiles (ms) and non-2xx answers from wrk's report."""
    result: dict[str, Any] = {}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["throughput_per_s"] = float(rate.group(1)) if rate else None
    for percent, value, unit in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$",
                                           output, re.MULTILINE):
        result[f"p{percent}_ms"] = round(float(value) * _UNITS[unit], 2)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    return result
