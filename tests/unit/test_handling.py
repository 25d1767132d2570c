"""The handling steps of issue 21 through the triage application (in memory: the
event store is the real one, without a database): who may take them, in which
order, and with which motivation."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.reporting.domain.figures import AnnualFigures
from services.triage.application import TriageApplication
from services.triage.domain.commands import Assessment, Decision, PoliceReport
from services.triage.domain.feedback import template
from services.triage.domain.report import Report
from services.triage.domain.routing import DEFAULT_RULES, RoutingTable
from shared.auth import Principal
from shared.contracts import PoliceReportRecorded
from shared.errors import Forbidden, InvalidTransition, NotFound

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
MELDPUNT = Principal(sub="mia", role="meldpunt")
AUTHORITY = Principal(sub="bert", role="competent_authority")
OTHER_AUTHORITY = Principal(sub="carla", role="competent_authority")
INADMISSIBLE = Assessment(admissible=False, reasonable_grounds=False, code_violation=False,
                          severity="low", theme="other", advice="no_action",
                          motivation="Buiten de regeling.", feedback="Wij behandelen dit niet.")
ADMISSIBLE = Assessment(admissible=True, reasonable_grounds=True, code_violation=True,
                        severity="high", theme="gifts", advice="investigation",
                        motivation="Ernstig vermoeden.")


def triage(*, mandated: bool = False) -> TriageApplication:
    return TriageApplication(routing=RoutingTable(dict(DEFAULT_RULES), default="bert"),
                             meldpunt_closes_inadmissible=mandated)


def received(app: TriageApplication) -> UUID:
    report = Report(melding_id=uuid4(), kind="integrity_violation", theme="gifts",
                    channel="web", description="Een fiets.", involved=["P. de Vries"],
                    occurred=None, anonymous=True, identity=None, received_at=NOW,
                    acknowledged_at=NOW)
    app.save(report)
    return UUID(str(report.id))


def test_inadmissible_advice_waits_for_the_routed_competent_authority() -> None:
    app = triage()
    melding = received(app)
    assert app.assess(melding, INADMISSIBLE, MELDPUNT).status == "assessed"
    agree = Decision(outcome=("no_action",), motivation="Eens.")
    with pytest.raises(NotFound):  # not the one routing chose: not theirs to see
        app.decide(melding, agree, OTHER_AUTHORITY)
    with pytest.raises(Forbidden):  # the meldpunt advises, it does not decide
        app.decide(melding, agree, MELDPUNT)
    report = app.decide(melding, Decision(outcome=("no_action",), motivation="Eens."),
                        AUTHORITY)
    assert report.closure is not None and report.closure["reason"] == "inadmissible"
    # The assessment's proposed text is advice beside the template, not sent as it is.
    assert report.closing_feedback is not None
    assert report.closing_feedback["advice"] == "Wij behandelen dit niet."
    assert report.closing_feedback["start"] == template("inadmissible", "nl")
    assert report.messages == []
    assert report.decision is not None and report.decision["decided_by"] == "bert"


def test_a_mandated_meldpunt_closes_inadmissible_ones_and_nobody_decides() -> None:
    app = triage(mandated=True)
    melding = received(app)
    assert app.assess(melding, INADMISSIBLE, MELDPUNT).status == "closed"
    with pytest.raises(InvalidTransition):
        app.decide(melding, Decision(outcome=("no_action",), motivation="Eens."), AUTHORITY)


def test_only_the_melding_s_competent_authority_reopens_it() -> None:
    app = triage()
    melding = received(app)
    app.assess(melding, ADMISSIBLE, MELDPUNT)
    with pytest.raises(InvalidTransition):  # open still
        app.reopen(melding, "Nieuwe feiten.", AUTHORITY)
    app.decide(melding, Decision(outcome=("no_action",), motivation="Geen actie."), AUTHORITY)
    with pytest.raises(Forbidden):
        app.reopen(melding, "Nieuwe feiten.", MELDPUNT)
    with pytest.raises(NotFound):
        app.reopen(melding, "Nieuwe feiten.", OTHER_AUTHORITY)
    assert app.reopen(melding, "Nieuwe feiten.", AUTHORITY).status == "assessed"
    assert app.assess(melding, ADMISSIBLE, MELDPUNT).history[-1]["what"] == "re-assessed"


def test_reporting_counts_a_melding_s_police_report_once() -> None:
    figures = AnnualFigures()
    at = "2026-03-02T09:00:00+00:00"
    for melding in ("a", "b", "c"):
        figures.apply("melding_received", {"melding_id": melding, "theme": "gifts",
                                           "kind": "wrongdoing", "channel": "web",
                                           "received_at": at, "acknowledged_at": at})
    # a: decided and then recorded (the same report); b: recorded twice; c: none.
    figures.apply("melding_decided", {"melding_id": "a", "outcome": ["police_report"],
                                      "police_report_on": "2026-03-02", "at": at})
    for melding in ("a", "b", "b"):
        figures.apply("police_report_recorded", {"melding_id": melding,
                                                 "filed_on": "2026-03-02", "at": at})
    assert figures.figures(2026)["police_reports"] == 2


def test_a_police_report_travels_to_reporting_without_its_number() -> None:
    app = triage()
    melding = received(app)
    report = app.record_police_report(
        melding, PoliceReport(filed_on=NOW.date(), registration_number="PL0900-7"), MELDPUNT)
    assert report.police_reports[0]["registration_number"] == "PL0900-7"
    events = [e for e in (app.integration_event(d) for d in app.events.get(melding))
              if isinstance(e, PoliceReportRecorded)]
    assert len(events) == 1
    assert "PL0900-7" not in events[0].model_dump_json()
    with pytest.raises(NotFound):  # a competent authority it is not assigned to
        app.record_police_report(
            melding, PoliceReport(filed_on=NOW.date(), registration_number="PL0900-8"),
            OTHER_AUTHORITY)


def test_a_reopened_melding_is_open_at_the_year_end_until_it_closes_again() -> None:
    figures = AnnualFigures()
    figures.apply("melding_received", {"melding_id": "a", "theme": "gifts",
                                       "kind": "wrongdoing", "channel": "web",
                                       "received_at": "2025-03-02T09:00:00+00:00",
                                       "acknowledged_at": "2025-03-02T09:00:00+00:00"})
    closing = {"melding_id": "a", "reason": "no_action", "at": "2025-04-01T09:00:00+00:00"}
    figures.apply("melding_closed", closing)
    figures.apply("melding_reopened", {"melding_id": "a", "at": "2025-11-01T09:00:00+00:00"})
    figures.apply("melding_closed", closing)  # a copy of the first closing: still open
    assert figures.figures(2025)["open_at_year_end"]["total"] == 1
    figures.apply("melding_closed", {"melding_id": "a", "reason": "referral",
                                     "at": "2026-02-01T09:00:00+00:00"})
    assert figures.figures(2025)["open_at_year_end"]["total"] == 1  # then still
    assert figures.figures(2026)["open_at_year_end"]["total"] == 0
    # Its closing counts once, with its first reason.
    assert figures.figures(2025)["closed"]["by_reason"] == {
        **dict.fromkeys(figures.figures(2025)["closed"]["by_reason"], 0), "no_action": 1}
