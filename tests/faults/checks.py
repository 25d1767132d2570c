"""The verdict after a fault: every melding that got a 201 is in triage exactly once,
and reporting has applied the whole stream; plus the figures for the closing note."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from shared.auth import issue_token
from tests.faults.harness import Deployment, creations, run, stream_counts, tracked_position
from tests.faults.load import Load
from tests.faults.procedure import Procedure

FILED = "Report.Filed"  # intake: the melding was filed (with its acknowledgement)
RECEIVED = "Report.Received"  # triage: the melding arrived in the queue
OPENED = "Case.Opened"  # investigation: a case opened on the competent authority's decision
RECEIVED_SUBJECT = "meldingen.intake.melding_received"


@dataclass
class Window:
    """The fault's window: what was on its way when it struck, and what came during."""

    accepted_before: int = 0
    in_triage_before: int = 0
    accepted_after: int = 0

    @classmethod
    def open(cls, deployment: Deployment, load: Load) -> Window:
        accepted = len(load.accepted)
        in_triage = sum(creations(deployment.settings, "triage", RECEIVED).values())
        return cls(accepted_before=accepted, in_triage_before=min(in_triage, accepted))

    def close(self, load: Load) -> None:
        self.accepted_after = len(load.accepted)

    @property
    def in_flight(self) -> int:
        """Accepted but not yet in triage when the fault struck, plus accepted during it."""
        waiting = self.accepted_before - self.in_triage_before
        return waiting + (self.accepted_after - self.accepted_before)


@dataclass
class Tally:
    fault: str
    accepted: int
    unknown: int
    filed: int
    in_flight: int
    lost: int
    doubled: int
    copies_on_stream: int
    in_reporting: int
    decided: int = 0
    cases: int = 0

    def __str__(self) -> str:
        return (f"{self.fault}: accepted={self.accepted} (answer lost: {self.unknown}) "
                f"filed={self.filed} in_flight={self.in_flight} lost={self.lost} "
                f"doubled={self.doubled} extra_copies_on_stream={self.copies_on_stream} "
                f"counted_in_reporting={self.in_reporting} decided={self.decided} "
                f"cases={self.cases}")


def settle(deployment: Deployment, load: Load, window: Window, fault: str,
           timeout: float = 90, procedure: Procedure | None = None) -> Tally:
    """Wait until triage holds every filed melding and reporting has applied the whole
    stream; then count. Fails (with the figures) if that does not happen in time."""
    settings = deployment.settings
    dead = deployment.crashed()
    assert not dead, f"crashed under the fault: {dead}; see {deployment.directory}/logs"
    accepted = set(load.accepted)
    assert len(accepted) == len(load.accepted), "intake answered the same id twice"
    deadline = time.monotonic() + timeout
    while True:
        filed = creations(settings, "intake", FILED)
        in_triage = creations(settings, "triage", RECEIVED)
        on_stream, last_sequence = run(stream_counts(deployment.settings, settings.stream,
                                                     RECEIVED_SUBJECT))
        reporting_at = tracked_position(settings, "reporting")
        counted, investigations = counted_in_reporting(deployment)
        cases = creations(settings, "investigation", OPENED) if procedure else Counter()
        decided = set(procedure.decided) if procedure else set()
        done = (set(in_triage) >= set(filed) and reporting_at >= last_sequence
                and counted == len(filed) and set(cases) >= decided
                and investigations == len(decided))
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    tally = Tally(
        fault=fault,
        accepted=len(accepted),
        unknown=load.unknown,
        filed=len(filed),
        in_flight=window.in_flight,
        lost=len(accepted - set(in_triage)) + len(decided - set(cases)),
        doubled=sum(1 for n in [*in_triage.values(), *cases.values()] if n > 1),
        copies_on_stream=on_stream - len(filed),
        in_reporting=counted,
        decided=len(decided),
        cases=len(cases),
    )
    print(f"\nFAULT TALLY {tally}")
    assert accepted <= set(filed), f"intake lost an accepted melding: {tally}"
    assert tally.lost == 0, f"accepted meldingen missing in triage: {tally}"
    assert tally.doubled == 0, f"meldingen doubled in triage: {tally}"
    assert set(in_triage) == set(filed), f"triage holds what intake did not file: {tally}"
    assert reporting_at >= last_sequence, (
        f"reporting stopped at {reporting_at} of {last_sequence}: {tally}")
    assert tally.in_reporting == tally.filed, f"reporting counts differently: {tally}"
    assert set(cases) == decided, f"investigation's cases differ from the decisions: {tally}"
    assert_no_personal_data_in_logs(deployment, load)
    assert investigations == len(decided), f"reporting counts {investigations}: {tally}"
    assert _once(in_triage)
    return tally


def assert_no_personal_data_in_logs(deployment: Deployment, load: Load) -> None:
    """Whatever failed, no log line names a reporter, quotes a melding or holds a
    receipt code (error paths log more than the happy one)."""
    markers = ["Melder ", "@example.org", "storingsproef"]
    markers += [r for receipt in load.receipts[:50] for r in (receipt, receipt.replace(" ", ""))]
    for log in (deployment.directory / "logs").glob("*.log"):
        text = log.read_text(errors="replace")
        found = [marker for marker in markers if marker in text]
        assert not found, f"{log.name} holds personal data: {found[:3]}"


def counted_in_reporting(deployment: Deployment) -> tuple[int, int]:
    """The meldingen and the decisions for an investigation that reporting's annual
    figures count (this year and its neighbours, for a run around New Year), as the
    auditor reads them; -1 while it cannot answer."""
    auditor = issue_token(deployment.settings, sub="fault-auditor", role="auditor")
    year = datetime.now(UTC).year
    total = investigations = 0
    for asked in (year - 1, year, year + 1):
        try:
            response = httpx.get(f"{deployment['reporting'].url}/api/reports/annual",
                                 params={"year": asked}, timeout=10,
                                 headers={"Authorization": f"Bearer {auditor}"})
        except httpx.HTTPError:
            return -1, -1
        if response.status_code != 200:
            return -1, -1
        figures = response.json()
        total += figures["meldingen"]["total"]
        investigations += _count(figures["decisions"]["by_outcome"]["investigation"])
    return total, investigations


def _count(published: int | str) -> int:
    """A published count; a small one is hidden as "<3", read here as -1 (not settled)."""
    return published if isinstance(published, int) else -1


def _once(counts: Counter[str]) -> bool:
    return all(n == 1 for n in counts.values())
