"""Rules that two services share are stated once: the statutory terms and the
organisation's time zone (`shared.terms`), the outcomes that open a case
(`shared.contracts`), each state machine's statuses and a case's first status, and
who may do what (`shared.authz`: no role is compared with anywhere else)."""

from __future__ import annotations

import ast
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args
from uuid import uuid4

import pytest

from services.investigation.domain.case import Case
from services.investigation.views import CaseIndex
from services.reporting.domain.figures import AnnualFigures
from services.triage.api.schemas import MeldingOut
from services.triage.domain.procedure import TRANSITIONS, Status, closing_reason
from shared.contracts import Outcome, opens_case
from shared.terms import LOCAL, deadlines, is_overdue

ROOT = Path(__file__).resolve().parents[2]
CODE = [path for folder in ("services", "shared", "bench")
        for path in (ROOT / folder).rglob("*.py")]


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_reportings_domain_imports_no_other_service() -> None:
    foreign = {(path.name, module)
               for path in (ROOT / "services" / "reporting" / "domain").glob("*.py")
               for module in imported_modules(path)
               if module.startswith("services.") and not module.startswith("services.reporting")}
    assert foreign == set()


def test_the_organisations_time_zone_is_named_once() -> None:
    naming = [str(path.relative_to(ROOT)) for path in CODE
              if "Europe/Amsterdam" in path.read_text()]
    assert naming == ["shared/terms.py"]


def role_checks(path: Path) -> list[int]:
    """Lines that compare a `.role` with something, or read the table itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        compares_a_role = isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == "role"
            for side in (node.left, *node.comparators))
        reads_the_table = "PERMISSIONS" in (getattr(node, "id", None),
                                            getattr(node, "attr", None))
        if compares_a_role or reads_the_table:
            found.append(getattr(node, "lineno", 0))
    return found


def test_every_authorization_goes_through_the_table() -> None:
    checks = {str(path.relative_to(ROOT)): lines for path in CODE
              if path != ROOT / "shared" / "authz.py" and (lines := role_checks(path))}
    assert checks == {}


def test_the_apis_statuses_are_the_state_machines() -> None:
    in_table = {status for steps in TRANSITIONS.values() for pair in steps.items()
                for status in pair}
    assert in_table == set(get_args(Status))
    assert get_args(MeldingOut.model_fields["status"].annotation) == get_args(Status)


def test_triage_closes_exactly_the_decisions_that_open_no_case() -> None:
    outcomes = get_args(Outcome)
    for size in (1, 2):
        for outcome in map(list, itertools.combinations(outcomes, size)):
            assert (closing_reason(outcome) is None) == opens_case(outcome), outcome


@pytest.mark.parametrize("outcome", [["conversation"], ["investigation"],
                                     ["investigation", "police_report"]])
def test_the_case_list_starts_a_case_where_the_case_starts(outcome: list[str]) -> None:
    case = Case(melding_id=uuid4(), outcome=outcome, theme="gifts", involved=[],
                assessed_by="mia", decided_by="bert", at=datetime(2026, 1, 5, tzinfo=UTC))
    index = CaseIndex()
    for domain_event in case.collect_events():
        index.apply(domain_event)
    [summary], _ = index.page(role="meldpunt", sub="mia")
    assert summary.status == case.status


@pytest.mark.parametrize("late", [timedelta(0), timedelta(seconds=1)])
def test_triage_and_reporting_agree_on_the_terms(late: timedelta) -> None:
    """At the last moment of each term a step is in time, a second later it is late,
    in triage's flags and in reporting's count alike (across a change to summer time)."""
    received = datetime(2026, 1, 2, 9, tzinfo=UTC)
    acknowledged = received + timedelta(days=7) + late
    terms = deadlines(received, acknowledged)
    assert terms.feedback_by is not None
    feedback = terms.feedback_by.astimezone(LOCAL) + late  # 2 April: summer time by then
    figures = AnnualFigures()
    melding_id = str(uuid4())
    figures.apply("melding_received", {
        "melding_id": melding_id, "kind": "wrongdoing", "theme": "gifts", "channel": "web",
        "received_at": received.isoformat(), "acknowledged_at": acknowledged.isoformat()})
    figures.apply("reporter_messaged", {"melding_id": melding_id, "purpose": "feedback",
                                        "at": feedback.isoformat()})
    counted = figures.figures(2026)["terms"]
    verdict = "late" if late else "within"
    assert counted["acknowledgement"][verdict] == counted["feedback"][verdict] == 1
    assert is_overdue(terms, acknowledged, None, acknowledged) == bool(late)
    assert is_overdue(terms, acknowledged, feedback, feedback + timedelta(days=1)) == bool(late)
