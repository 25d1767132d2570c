"""A failed fault test prints the warnings and errors of every process it ran, since
CI keeps nothing of the run but its output."""

from __future__ import annotations

from pathlib import Path

from tests.faults.harness import log_digest


def test_the_digest_holds_each_logs_warnings_and_errors_and_nothing_else(tmp_path: Path,
                                                                          ) -> None:
    (tmp_path / "triage.log").write_text(
        '{"level": "info", "msg": "started"}\n'
        '{"level": "warning", "msg": "delivery lost, resubscribing"}\n'
        '{"level": "error", "msg": "unreadable message skipped"}\n')
    (tmp_path / "nats-n1.log").write_text(
        "[1] [INF] Server is ready\n[1] [WRN] JetStream cluster stream has NO quorum\n")
    (tmp_path / "intake.log").write_text('{"level": "info", "msg": "started"}\n')

    digest = log_digest(tmp_path).splitlines()

    assert digest == [
        "--- intake.log: 0 warnings and errors",
        "--- nats-n1.log: 1 warnings and errors, the last 1:",
        "[1] [WRN] JetStream cluster stream has NO quorum",
        "--- triage.log: 2 warnings and errors, the last 2:",
        '{"level": "warning", "msg": "delivery lost, resubscribing"}',
        '{"level": "error", "msg": "unreadable message skipped"}',
    ]


def test_only_the_last_lines_of_a_long_log_are_shown(tmp_path: Path) -> None:
    (tmp_path / "triage.log").write_text("".join(
        f'{{"level": "warning", "msg": "relay paused", "n": {n}}}\n' for n in range(100)))

    digest = log_digest(tmp_path, per_file=3).splitlines()

    assert digest[0] == "--- triage.log: 100 warnings and errors, the last 3:"
    assert [line[-4:] for line in digest[1:]] == [' 97}', ' 98}', ' 99}']
