"""The melding in triage, in memory: no NATS, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from shared.errors import InvalidInput, InvalidTransition

ROUTED = Routing("bert", "unknown: default", "the default competent authority")

NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)


def received(**overrides: Any) -> Report:
    fields: dict[str, Any] = dict(
        melding_id=uuid4(), kind="integrity_violation", theme="gifts", channel="web",
        description="Een fiets van een leverancier.", involved=["P. de Vries"], occurred=None,
        anonymous=False, identity={"name": "Jan Jansen"}, received_at=NOW, acknowledged_at=NOW,
    )
    fields.update(overrides)
    return Report(**fields)


def assess(report: Report, *, admissible: bool = True, theme: str = "interests") -> None:
    report.assess(admissible=admissible, reasonable_grounds=admissible,
                  code_violation=admissible, severity="high", theme=theme,
                  advice="investigation", motivation="Ernstig vermoeden.", feedback="Afgewezen.",
                  by="mia", at=NOW,
                  routing=ROUTED)


def decide(report: Report, outcome: list[str], police_report_on: date | None = None) -> None:
    report.decide(outcome=outcome, motivation="Zo besloten.", police_report_on=police_report_on,
                  feedback="Afgehandeld.", by="bert", at=NOW)


def test_assessment_records_the_advice_and_confirms_the_theme() -> None:
    report = received()
    assess(report, theme="interests")
    assert report.status == "assessed"
    assert report.theme == "interests"
    assert report.assessment is not None and report.assessment["advice"] == "investigation"
    assert [h["what"] for h in report.history] == [
        "received", "acknowledged", "competent authority: bert (unknown: default)", "assessed"]
    assert report.history[-1]["who"] == "mia"


def test_an_inadmissible_melding_is_closed_with_feedback_to_the_reporter() -> None:
    report = received()
    assess(report, admissible=False)
    assert report.status == "closed"
    assert report.closure is not None and report.closure["reason"] == "inadmissible"
    assert report.messages[-1] == {"from": "meldpunt", "body": "Afgewezen.",
                                   "purpose": "feedback", "at": NOW}
    assert report.feedback_at == NOW


def test_decision_before_assessment_is_refused_and_records_nothing() -> None:
    report = received()
    with pytest.raises(InvalidTransition) as refused:
        decide(report, ["investigation"])
    assert refused.value.state == "received"
    assert report.version == 1
    assert len(report.collect_events()) == 1  # only the receipt


def test_a_decision_for_an_investigation_keeps_the_melding_open() -> None:
    report = received()
    assess(report)
    decide(report, ["investigation", "police_report"])
    assert report.status == "decided"
    assert report.decision is not None
    assert report.decision["police_report_on"] == NOW.date()  # recorded with the date
    assert report.decision["decided_by"] == "bert"


@pytest.mark.parametrize(("outcome", "reason"), [
    (["no_action"], "no_action"),
    (["referral"], "referral"),
    (["police_report"], "police_report"),
    (["referral", "police_report"], "referral"),
])
def test_a_decision_without_a_case_closes_the_melding(outcome: list[str], reason: str) -> None:
    report = received()
    assess(report)
    decide(report, outcome)
    assert report.status == "closed"
    assert report.closure is not None and report.closure["reason"] == reason
    assert report.messages[-1]["purpose"] == "feedback"


def test_no_action_cannot_be_combined() -> None:
    report = received()
    assess(report)
    version = report.version
    with pytest.raises(InvalidInput):
        decide(report, ["no_action", "conversation"])
    assert report.version == version


def test_the_decision_carries_who_may_not_investigate() -> None:
    report = received()
    assess(report)
    decide(report, ["conversation"])
    decided = report.collect_events()[-1]
    assert isinstance(decided, Report.Decided)
    assert (decided.involved, decided.assessed_by, decided.by) == (["P. de Vries"], "mia", "bert")


def test_a_closed_melding_takes_no_messages_but_records_replies() -> None:
    report = received()
    assess(report, admissible=False)
    with pytest.raises(InvalidTransition):
        report.message_reporter(body="Nog iets", purpose="message", by="mia", at=NOW)
    assert report.record_reply(body="Jammer.", at=NOW)
    assert not report.record_reply(body="Jammer.", at=NOW)  # a redelivered copy
    assert report.messages[-1]["from"] == "reporter"


def test_an_anonymous_melding_never_holds_an_identity() -> None:
    report = received(anonymous=True, identity={"name": "Should not be here"})
    assert report.identity is None
