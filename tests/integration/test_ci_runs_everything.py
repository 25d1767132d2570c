"""Without PostgreSQL a test that needs it skips with the reason, but under CI=true it
fails: CI must run every test, the fault-injection ones included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEEDS_POSTGRES = [
    "tests/faults/test_kill_services.py::"
    "test_kill_9_of_each_service_in_turn_on_postgresql_loses_and_doubles_nothing",
    "tests/faults/test_database_unavailable.py::"
    "test_postgres_unreachable_gives_503_and_recovers_by_itself",
    "tests/integration/test_recorders.py",
]


@pytest.mark.parametrize("ci", [True, False], ids=["CI", "here"])
def test_tests_without_their_postgresql_fail_under_ci_and_skip_elsewhere(ci: bool) -> None:
    env = {**os.environ, "CI": "true" if ci else "",
           # nothing listens on the discard port: PostgreSQL is "not there"
           "MELDINGEN_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:9/test"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *NEEDS_POSTGRES, "-m", "postgres", "-q", "-rs",
         "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    summary = run.stdout.strip().splitlines()[-1]
    if ci:
        assert run.returncode == 1, run.stdout
        assert run.stdout.count("required under CI=true") >= len(NEEDS_POSTGRES), run.stdout
        assert "passed" not in summary and "skipped" not in summary, summary
    else:
        assert run.returncode == 0, run.stdout
        assert "PostgreSQL is not reachable" in run.stdout
        assert "passed" not in summary and "error" not in summary, summary
