"""`tune_for_latency` (called by `meldingen serve`): a 0.5 ms GIL switch interval and a
frozen heap. It changes process-wide state, so it is run in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, sys
from shared.cli.run import SWITCH_INTERVAL, tune_for_latency
print(sys.getswitchinterval(), gc.get_freeze_count())
tune_for_latency()
print(sys.getswitchinterval(), gc.get_freeze_count(), SWITCH_INTERVAL)
"""


def test_tune_for_latency_shortens_the_switch_interval_and_freezes_the_heap() -> None:
    """Protects the serve-time tuning: switch interval 0.0005 s and gc.freeze() done."""
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    before, after = (line.split() for line in result.stdout.splitlines())
    interval_before, frozen_before = float(before[0]), int(before[1])
    interval_after, frozen_after, constant = float(after[0]), int(after[1]), float(after[2])
    assert interval_before == 0.005 and frozen_before == 0  # Python's defaults
    assert constant == 0.0005
    assert interval_after == constant
    assert frozen_after > 0
