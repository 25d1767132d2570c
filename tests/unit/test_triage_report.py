"""The melding in triage, in memory: no NATS, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from services.triage.domain.feedback import template
from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from shared.errors import Conflict, InvalidInput, InvalidTransition

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


def assess(report: Report, *, admissible: bool = True, theme: str = "interests",
           mandated: bool = False) -> None:
    report.assess(admissible=admissible, reasonable_grounds=admissible,
                  code_violation=admissible, severity="high", theme=theme,
                  advice="investigation" if admissible else "no_action",
                  motivation="Ernstig vermoeden.", feedback="Afgewezen.", by="mia", at=NOW,
                  routing=ROUTED, closes_inadmissible=mandated)


def decide(report: Report, outcome: list[str], police_report_on: date | None = None) -> None:
    report.decide(outcome=outcome, motivation="Zo besloten.", police_report_on=police_report_on,
                  feedback="Afgehandeld.", by="bert", at=NOW,
                  referral_to="lkog" if "referral" in outcome else None)


def test_assessment_records_the_advice_and_confirms_the_theme() -> None:
    report = received()
    assess(report, theme="interests")
    assert report.status == "assessed"
    assert report.theme == "interests"
    assert report.assessment is not None and report.assessment["advice"] == "investigation"
    assert [h["what"] for h in report.history] == [
        "received", "acknowledged", "competent authority: bert (unknown: default)", "assessed"]
    assert report.history[-1]["who"] == "mia"


def test_not_admissible_is_advice_the_competent_authority_decides_on() -> None:
    report = received()
    assess(report, admissible=False)
    assert report.status == "assessed" and report.closure is None
    assert "decide" in report.steps
    # Following the advice closes it as inadmissible; the meldpunt's proposed text is
    # advice beside the template for the closing feedback it now owes.
    report.decide(outcome=["no_action"], motivation="Buiten de regeling.",
                  police_report_on=None, feedback=None, by="bert", at=NOW)
    assert report.decision is not None and report.decision["motivation"]
    assert report.closure is not None and report.closure["reason"] == "inadmissible"
    assert report.closing_feedback is not None
    assert report.closing_feedback["advice"] == "Afgewezen."
    assert report.messages == []


def test_the_competent_authority_may_decide_against_inadmissible_advice() -> None:
    report = received()
    assess(report, admissible=False)
    decide(report, ["conversation"])
    assert report.status == "decided"


def test_a_mandated_meldpunt_closes_an_inadmissible_melding_itself() -> None:
    report = received()
    assess(report, admissible=False, mandated=True)
    assert report.status == "closed"
    assert report.closure is not None and report.closure["reason"] == "inadmissible"
    # Its own words are the start of the closing feedback, sent once it gives it.
    assert report.closing_feedback is not None
    assert report.closing_feedback["start"] == "Afgewezen."
    assert report.messages == [] and report.feedback_at is None
    report.give_closing_feedback(body="Afgewezen.", by="mia", at=NOW)
    assert report.messages[-1] == {"from": "meldpunt", "body": "Afgewezen.",
                                   "purpose": "feedback", "at": NOW}
    assert report.feedback_at == NOW
    with pytest.raises(Conflict):  # once
        report.give_closing_feedback(body="Nog eens.", by="mia", at=NOW)


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
    assert report.closing_feedback is not None
    assert report.closing_feedback["start"] == template(reason, "nl")
    assert report.closing_feedback["given_at"] is None


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
    assess(report, admissible=False, mandated=True)
    with pytest.raises(InvalidTransition):
        report.message_reporter(body="Nog iets", purpose="message", by="mia", at=NOW)
    assert report.record_reply(body="Jammer.", at=NOW)
    assert not report.record_reply(body="Jammer.", at=NOW)  # a redelivered copy
    assert report.messages[-1]["from"] == "reporter"


def test_an_anonymous_melding_never_holds_an_identity() -> None:
    report = received(anonymous=True, identity={"name": "Should not be here"})
    assert report.identity is None


def test_a_re_assessment_before_the_decision_keeps_the_first_in_the_history() -> None:
    report = received()
    assess(report, admissible=False)
    assess(report, admissible=True, theme="gifts")
    assert report.assessment is not None and report.assessment["admissible"]
    assert [a["admissible"] for a in report.earlier_assessments] == [False]
    assert [h["what"] for h in report.history][-1] == "re-assessed"
    decide(report, ["investigation"])
    with pytest.raises(InvalidTransition) as refused:  # decided: too late
        assess(report)
    assert refused.value.state == "decided"
    assert len(report.earlier_assessments) == 1


def test_reopening_a_closed_melding_restarts_the_feedback_term() -> None:
    report = received()
    assess(report)
    with pytest.raises(InvalidTransition):  # not closed yet
        report.reopen(motivation="Nieuwe feiten.", by="bert", at=NOW)
    decide(report, ["no_action"])
    report.give_closing_feedback(body="Afgerond.", by="mia", at=NOW)
    assert report.status == "closed" and report.feedback_at == NOW
    later = datetime(2025, 9, 1, 9, tzinfo=UTC)
    report.reopen(motivation="Nieuwe feiten.", by="bert", at=later)
    assert report.status == "assessed" and report.closure is None
    assert report.feedback_at is None and report.term_start == later
    # The next closing owes a closing feedback of its own.
    assert report.closing_feedback is None
    with pytest.raises(InvalidTransition):
        report.give_closing_feedback(body="Te vroeg.", by="mia", at=later)
    assert report.history[-1] == {"what": "reopened", "who": "bert", "at": later,
                                  "motivation": "Nieuwe feiten."}
    decide(report, ["conversation"])
    assert [d["outcome"] for d in report.earlier_decisions] == [["no_action"]]


def test_a_melding_whose_case_closed_cannot_open_a_second_case() -> None:
    report = received()
    assess(report)
    decide(report, ["investigation"])
    report.close(reason="case_closed", start="Klaar.", advice=None, by="investigation", at=NOW)
    report.reopen(motivation="Nieuwe feiten.", by="bert", at=NOW)
    with pytest.raises(Conflict):
        decide(report, ["investigation"])
    decide(report, ["referral"])
    assert report.status == "closed"


def test_a_possible_official_crime_needs_a_motivated_police_report_decision() -> None:
    report = received()
    report.assess(admissible=True, reasonable_grounds=True, code_violation=True,
                  severity="high", theme="interests",
                  advice="investigation", motivation="Omkoping?", feedback="", by="mia",
                  at=NOW, routing=ROUTED, official_crime=True)
    version = report.version
    with pytest.raises(InvalidInput) as refused:
        decide(report, ["investigation"])
    assert refused.value.field == "police_report_motivation"
    assert report.version == version and report.status == "assessed"
    report.decide(outcome=["investigation", "police_report"], motivation="Onderzoek.",
                  police_report_on=None, feedback=None, by="bert", at=NOW,
                  police_report_motivation="Ambtsmisdrijf: aangifte (art. 162 Sv).")
    assert report.decision is not None
    assert report.decision["police_report_motivation"].startswith("Ambtsmisdrijf")


def test_a_referral_names_its_target_and_only_a_referral_does() -> None:
    report = received()
    assess(report)
    for outcome, target in ((["referral"], None), (["no_action"], "lkog")):
        with pytest.raises(InvalidInput) as refused:
            report.decide(outcome=outcome, motivation="m", police_report_on=None,
                          feedback=None, by="bert", at=NOW, referral_to=target)
        assert refused.value.field == "referral_to"
    report.decide(outcome=["referral"], motivation="Datalek.", police_report_on=None,
                  feedback=None, by="bert", at=NOW, referral_to="ciso")
    assert report.decision is not None and report.decision["referral_to"] == "ciso"


def test_a_police_report_is_recorded_at_any_stage_once() -> None:
    report = received()
    report.record_police_report(filed_on=date(2025, 3, 1), registration_number="PL0900-1",
                                by="mia", at=NOW)
    assess(report)
    decide(report, ["no_action"])
    report.record_police_report(filed_on=date(2025, 3, 3), registration_number="PL0900-2",
                                by="bert", at=NOW)  # after the closing too
    assert [p["registration_number"] for p in report.police_reports] == [
        "PL0900-1", "PL0900-2"]
    with pytest.raises(Conflict):
        report.record_police_report(filed_on=date(2025, 3, 3),
                                    registration_number="PL0900-2", by="bert", at=NOW)
    with pytest.raises(InvalidInput) as refused:
        report.record_police_report(filed_on=date(2025, 3, 4),
                                    registration_number="PL0900-3", by="bert", at=NOW)
    assert refused.value.field == "filed_on"
    assert len(report.police_reports) == 2
