"""The benchmark harness still works: every scenario with tiny counts on the embedded
store (no timing is asserted here; the figures belong to `make bench`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main


@pytest.mark.timeout(280)
def test_every_scenario_runs_with_tiny_counts_and_writes_its_results(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    assert main(["--quick", "--db", "sqlite", "--replay-events", "500", "--out", str(out)]) == 0

    sqlite = json.loads(out.read_text())["databases"]["sqlite"]
    intake = sqlite["intake"]
    assert intake["created"] > 0
    assert intake["lost"] == 0
    assert all(run["errors"] == {} for run in intake["runs"])
    assert sqlite["raw"]["bare_save"]["ok"] > 0
    assert sqlite["raw"]["store_append"]["saves"] > 0
    followed = [run["propagation"] for run in intake["runs"] if "propagation" in run]
    assert followed and all(p["lost"] == 0 and p["n"] > 0 for p in followed)
    assert sqlite["queue"]["not_taken_in"] == 0
    assert all(q["errors"] == {} for q in sqlite["queue"]["queries"].values())
    assert sqlite["mailbox"]["c16"]["errors"] == {}
    assert sqlite["replay"]["runs"][0]["replayed"] == 500
    assert {check["figure"] for check in sqlite["checks"]} >= {"meldingen lost"}
