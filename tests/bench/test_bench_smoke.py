"""The benchmark harness still works: every scenario with tiny counts on the embedded
store (no timing is asserted here; the figures belong to `make bench`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main


@pytest.mark.timeout(400)
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
    open_loop = [run for run in intake["runs"] if run.get("rate")]
    assert open_loop and all("propagation" in run for run in open_loop)
    # Every melding of an open-loop run is looked up in triage's store, not a sample.
    assert all(run["propagation"]["lost"] == 0 and run["propagation"]["n"] == run["ok"] > 0
               for run in open_loop)
    assert all(run["open_loop"]["unsent"] == 0 and "created" not in run for run in open_loop)
    assert sqlite["queue"]["not_taken_in"] == 0
    assert sqlite["queue"]["raw_read"]["messages"] == sqlite["queue"]["meldingen"]
    assert sqlite["queue"]["triage_restart_ready_s"] > 0
    assert sqlite["queue"]["crosscheck"]["loadgen"]["errors"] == {}
    assert all(q["errors"] == {} for q in sqlite["queue"]["queries"].values())
    assert sqlite["mailbox"]["c16"]["errors"] == {}
    assert sqlite["console"]["not_taken_in"] == 0
    assert all(p["errors"] == {} for p in sqlite["console"]["pages"].values())
    assert sqlite["replay"]["runs"][0]["replayed"] == 500
    assert {check["figure"] for check in sqlite["checks"]} >= {"meldingen lost"}
    # Each service started on the seeded history, and its relay found nothing unsent.
    [start] = sqlite["start"].values()
    assert all(start[service]["ready_s"] > 0 for service in
               ("intake", "triage", "investigation", "reporting", "console"))
    assert start["stream_after_starts"] == start["seeding"]["stream_events"] > 0
    assert start["seeding"]["reporting"]["events"] == start["seeding"]["stream_events"]
