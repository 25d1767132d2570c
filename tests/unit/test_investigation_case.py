"""The case in investigation, in memory: no NATS, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.investigation.domain.case import RESPONSE_TERM, Case
from services.investigation.domain.conflicts import Investigator, conflict_of
from services.investigation.domain.feedback import final_feedback
from services.investigation.domain.measures import check_measures
from shared.errors import Conflict, InvalidInput, InvalidTransition, NotFound

IVAN = Investigator("ivan", "Ivan Petrov")
NOW = datetime(2025, 5, 1, 10, tzinfo=UTC)


def opened(outcome: str = "investigation") -> Case:
    return Case(melding_id=uuid4(), outcome=[outcome], theme="gifts",
                involved=["Piet de Vries", "afdeling inkoop"], assessed_by="mia",
                decided_by="bert", at=NOW)


def drafted() -> Case:
    case = opened()
    case.assign_investigators(investigators=[IVAN], by="bert", at=NOW)
    case.record_plan(text="Plan", by="ivan", at=NOW)
    case.record_interview(interviewee="Piet de Vries", minutes="m", by="ivan", at=NOW)
    case.add_evidence(description="factuur", sha256="AB" * 32, by="ivan", at=NOW)
    case.issue_draft_report(text="concept", by="ivan", at=NOW)
    return case


@pytest.mark.parametrize(("who", "reason"), [
    ("piet de  vries", "is named among the persons concerned"),
    ("MIA", "assessed this melding"),
    ("bert", "decided on this melding"),
])
def test_a_conflicted_investigator_is_named_with_the_reason(who: str, reason: str) -> None:
    found = conflict_of(who, involved=["Piet de Vries"], assessed_by="mia", decided_by="bert")
    assert found is not None and reason in found


def test_an_unrelated_investigator_is_not_conflicted() -> None:
    assert conflict_of("ivan", involved=["Piet de Vries"], assessed_by="mia",
                       decided_by="bert") is None


def test_assigning_a_conflicted_investigator_is_refused_and_records_nothing() -> None:
    case = opened()
    with pytest.raises(Conflict) as refused:
        # piet's name in the directory is among the persons concerned
        case.assign_investigators(investigators=[IVAN, Investigator("piet", "Piet de Vries")],
                                  by="bert", at=NOW)
    assert refused.value.extra["investigator"] == "piet"
    assert "persons concerned" in refused.value.extra["reason"]
    assert (case.version, case.status, case.investigators) == (1, "awaiting_investigators", [])


def test_a_conversation_case_does_not_take_investigators() -> None:
    case = opened("conversation")
    with pytest.raises(InvalidTransition) as refused:
        case.assign_investigators(investigators=[IVAN], by="bert", at=NOW)
    assert refused.value.state == "awaiting_conversation"


def test_the_decision_for_both_talks_and_an_investigation_is_an_investigation() -> None:
    case = Case(melding_id=uuid4(), outcome=["conversation", "investigation"], theme="gifts",
                involved=[], assessed_by="mia", decided_by="bert", at=NOW)
    assert case.path == "investigation"


def test_plan_before_investigators_is_refused() -> None:
    case = opened()
    with pytest.raises(InvalidTransition) as refused:
        case.record_plan(text="Plan", by="ivan", at=NOW)
    assert refused.value.state == "awaiting_investigators"
    assert case.version == 1


def test_interviews_take_comments_and_get_their_own_ids() -> None:
    case = opened()
    case.assign_investigators(investigators=[IVAN], by="bert", at=NOW)
    case.record_plan(text="Plan", by="ivan", at=NOW)
    first = case.record_interview(interviewee="a", minutes="m", by="ivan", at=NOW)
    second = case.record_interview(interviewee="b", minutes="m", by="ivan", at=NOW)
    case.comment_on_interview(interview_id=second, text="klopt niet", by="ivan", at=NOW)
    assert (first, second) == ("1", "2")
    assert case.interviews[1]["comments"][0]["text"] == "klopt niet"
    with pytest.raises(NotFound):
        case.comment_on_interview(interview_id="7", text="?", by="ivan", at=NOW)


def test_evidence_keeps_the_hash_in_lower_case() -> None:
    assert drafted().evidence[0]["sha256"] == "ab" * 32


def test_final_report_waits_for_the_response_or_its_term() -> None:
    case = drafted()
    with pytest.raises(InvalidTransition) as refused:
        case.issue_final_report(text="f", conclusion="founded", by="ivan", at=NOW)
    assert refused.value.state == "draft_reported"
    with pytest.raises(Conflict):  # the term still runs
        case.record_response_lapse(by="ivan", at=NOW + RESPONSE_TERM - timedelta(minutes=1))
    case.record_response_lapse(by="ivan", at=NOW + RESPONSE_TERM)
    assert case.response == {"text": None, "lapsed": True, "by": "ivan",
                             "at": NOW + RESPONSE_TERM}
    case.issue_final_report(text="f", conclusion="not_established", by="ivan", at=NOW)
    assert case.status == "final_reported"


def test_measures_close_the_case() -> None:
    case = drafted()
    case.record_response(text="zienswijze", by="ivan", at=NOW)
    case.issue_final_report(text="f", conclusion="founded", by="ivan", at=NOW)
    case.take_measures(measures=[{"target": "person", "kind": "suspension", "description": "x"}],
                       feedback="klaar", by="bert", at=NOW)
    assert case.status == "closed"
    with pytest.raises(InvalidTransition) as refused:
        case.take_measures(measures=[{"target": "person", "kind": "none", "description": "x"}],
                           feedback="klaar", by="bert", at=NOW)
    assert refused.value.state == "closed"


@pytest.mark.parametrize("measures", [
    [],
    [{"target": "person", "kind": "none", "description": "-"},
     {"target": "person", "kind": "suspension", "description": "-"}],
    [{"target": "process", "kind": "dismissal", "description": "-"}],
    [{"target": "person", "kind": "process_change", "description": "-"}],
])
def test_measures_that_do_not_go_together_are_refused(measures: list[dict[str, str]]) -> None:
    with pytest.raises(InvalidInput):
        check_measures(measures)


def test_final_feedback_says_nothing_about_persons() -> None:
    text = final_feedback("investigation", measures_taken=True)
    assert "onderzoek" in text and "measures" in text.lower()
    assert "Piet" not in text


def test_a_revised_draft_keeps_every_version_and_restarts_the_response_term() -> None:
    case = drafted()
    later = NOW + timedelta(days=10)
    case.issue_draft_report(text="concept, herzien", by="ivan", at=later)
    assert [d["text"] for d in case.draft_reports] == ["concept", "concept, herzien"]
    assert case.draft_report is not None and case.draft_report["version"] == 2
    assert case.response_term_ends == later + RESPONSE_TERM
    with pytest.raises(Conflict):  # the first draft's term no longer counts
        case.record_response_lapse(by="ivan", at=NOW + RESPONSE_TERM)
    case.record_response(text="Zienswijze", by="ivan", at=later)
    # After the response, a third version sends it back for a new response.
    case.issue_draft_report(text="concept 3", by="ivan", at=later)
    assert case.status == "draft_reported" and len(case.draft_reports) == 3
    assert case.history[-1]["what"] == "draft report revised (version 3)"


def test_an_interview_may_follow_evidence_but_not_the_draft() -> None:
    case = drafted()
    with pytest.raises(InvalidTransition) as refused:
        case.record_interview(interviewee="getuige", minutes="m", by="ivan", at=NOW)
    assert refused.value.state == "draft_reported"
    case = opened()
    case.assign_investigators(investigators=[IVAN], by="bert", at=NOW)
    case.record_plan(text="Plan", by="ivan", at=NOW)
    case.record_interview(interviewee="Piet de Vries", minutes="m", by="ivan", at=NOW)
    case.add_evidence(description="factuur", sha256="AB" * 32, by="ivan", at=NOW)
    assert case.record_interview(interviewee="getuige", minutes="n", by="ivan", at=NOW) == "2"
    assert case.status == "gathering_evidence"
