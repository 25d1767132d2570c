"""`make run` under the faults a real machine meets: the OOM killer or a closed
terminal kills its whole process group with SIGKILL; a port is still held by some
other process; and one service dies under load, or keeps dying."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.config import SERVICES
from shared.health import answers
from tests.faults.checks import Window, settle
from tests.faults.embedded import alive, embedded_run, wait_for
from tests.faults.harness import ROOT, log_digest
from tests.faults.load import Load
from tests.faults.procedure import Procedure

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_sigkill_of_make_runs_process_group_leaves_nothing_and_a_new_run_starts(
    tmp_path: Path,
) -> None:
    run = embedded_run(tmp_path)
    run.start()
    try:
        assert run.process is not None
        # Each step is shown as it happens, the URLs at the end.
        wait_for(lambda: "meldingen is running" in run.output.read_text(), 30, "the welcome")
        output = run.output.read_text()
        steps = ["Starting nats", "nats is listening", "retention is started",
                 *(f"{s} is healthy" for s in SERVICES),
                 "Everything is up", "meldingen is running", run["intake"].url]
        assert [output.find(step) for step in steps] == sorted(
            output.find(step) for step in steps), output
        assert -1 not in [output.find(step) for step in steps], output
        processes = run.processes()
        # make, meldingen run, nats-server, the services and the retention's keeper
        assert len(processes) == 4 + len(SERVICES), processes
        os.killpg(run.process.pid, signal.SIGKILL)  # what the OOM killer or a closed tty does
        run.process.wait(timeout=10)
        gone_in = wait_for(lambda: not any(alive(pid) for pid in processes), 2,
                           "every process of the run gone")
        print(f"\nFAULT TALLY kill -KILL of make run's process group: {len(processes)} "
              f"processes, all gone in {gone_in:.2f} s")
        for service in SERVICES:
            assert not answers(f"{run[service].url}/healthz"), service

        # The next `make run` binds the same ports and starts cleanly.
        run.start()
        wait_for(lambda: "meldingen is running" in run.output.read_text(), 30, "the welcome")
        assert "cannot start" not in run.output.read_text()
    finally:
        run.stop()


def test_run_refuses_to_start_on_a_taken_port_and_names_the_process(tmp_path: Path) -> None:
    run = embedded_run(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", run["triage"].port))
        squatter.listen()
        finished = subprocess.run([sys.executable, "-m", "shared.cli", "run"], cwd=ROOT,
                                  env=run.env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert f"triage: port {run['triage'].port} is taken by pid {os.getpid()}" in finished.stderr
    assert "python" in finished.stderr  # the squatter's command line
    for port in (run.nats[0].port, run["intake"].port):  # nothing was started
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("victim", ["intake", "triage"])
def test_a_service_killed_under_load_is_restarted_by_run_and_nothing_is_lost(
    tmp_path: Path, victim: str
) -> None:
    run = embedded_run(tmp_path)
    run.start()
    try:
        load = Load(run["intake"].url, target=300).start()
        procedure = Procedure(run["triage"].url, run.settings, load).start()
        try:
            load.wait_accepted(100)
            window = Window.open(run, load)
            killed_at = time.monotonic()
            os.kill(run.pid_of(victim), signal.SIGKILL)
            back_in = wait_for(lambda: f"{victim} restarted and healthy"
                               in run.output.read_text(), 60, f"{victim} restarted")
            window.close(load)
            load.finish()
            procedure.finish()
        finally:
            load.stop()
        tally = settle(run, load, window, fault=f"kill -9 {victim} under meldingen run",
                       procedure=procedure)
        print(f"FAULT TALLY {victim} back {back_in:.1f} s after kill -9 "
              f"({time.monotonic() - killed_at:.0f} s to settle)")
        assert tally.accepted >= 300
        log = (run.settings.var_dir / "logs" / f"{victim}.log").read_text()
        assert f"{victim} stopped (killed by signal 9); restarting it" in log
    finally:
        run.stop()


def test_a_service_that_keeps_dying_makes_run_give_up_and_say_why(tmp_path: Path) -> None:
    run = embedded_run(tmp_path)
    run.start()
    try:
        assert run.process is not None
        processes = run.processes()
        killed: set[int] = set()
        for _ in range(5):
            def restarted() -> int | None:
                try:
                    pid = run.pid_of("investigation")
                except LookupError:
                    return None
                return pid if pid not in killed else None

            try:
                wait_for(restarted, 60, "investigation started again")
            except AssertionError:
                print(run.output.read_text(), log_digest(tmp_path / "logs"))
                raise
            pid = restarted()
            assert pid is not None
            killed.add(pid)
            os.kill(pid, signal.SIGKILL)
        assert run.process.wait(timeout=60) != 0
        why = "investigation exited 5 times within 60 s"
        assert why in run.output.read_text()
        log = (run.settings.var_dir / "logs" / "investigation.log").read_text()
        assert why in log and '"level": "error"' in log.split(why)[0].rsplit("\n", 1)[-1]
        wait_for(lambda: not any(alive(pid) for pid in processes), 20, "the others stopped")
        for service in SERVICES:
            assert not answers(f"{run[service].url}/healthz"), service
    finally:
        run.stop()
