"""Escalation, interim measures, the person concerned and the response term's lapse,
on the case in memory: each refusal names its reason and records nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from services.investigation.domain.case import Case
from services.investigation.domain.conflicts import Investigator
from shared.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotFound

NOW = datetime(2025, 5, 1, 10, tzinfo=UTC)
TODAY = date(2025, 5, 1)


def opened(outcome: str = "investigation") -> Case:
    return Case(melding_id=uuid4(), outcome=[outcome], theme="gifts", involved=["Piet"],
                assessed_by="mia", decided_by="bert", at=NOW)


def final_reported(case: Case) -> Case:
    case.assign_investigators(investigators=[Investigator("ivan", "Ivan")], by="bert", at=NOW)
    case.record_plan(text="p", by="ivan", at=NOW)
    case.record_interview(interviewee="x", minutes="m", by="ivan", at=NOW)
    case.add_evidence(description="d", sha256="a" * 64, by="ivan", at=NOW)
    case.issue_draft_report(text="d", by="ivan", at=NOW)
    case.record_response(text="r", by="ivan", at=NOW)
    case.issue_final_report(text="f", conclusion="founded", by="ivan", at=NOW)
    return case


def refused(case: Case, error: type[DomainError], run: object) -> DomainError:
    version = case.version
    with pytest.raises(error) as caught:
        run()  # type: ignore[operator]
    assert case.version == version
    return caught.value


def test_a_conversation_becomes_an_investigation_with_a_motivation() -> None:
    case = opened("conversation")
    assert refused(case, InvalidInput, lambda: case.escalate(
        motivation=" ", by="bert", at=NOW)).field == "motivation"  # type: ignore[attr-defined]
    case.escalate(motivation="Er is meer aan de hand.", by="bert", at=NOW)
    assert (case.path, case.status) == ("investigation", "awaiting_investigators")
    assert case.escalation["motivation"] == "Er is meer aan de hand."  # type: ignore[index]
    refused(case, InvalidTransition, lambda: case.escalate(motivation="m", by="bert", at=NOW))


def test_interim_measures_are_taken_lifted_and_settled_by_the_final_measures() -> None:
    conversation = opened("conversation")
    refused(conversation, InvalidTransition, lambda: conversation.take_interim_measure(
        kind="suspension", motivation="m", by="bert", at=NOW))
    case = opened()
    assert case.take_interim_measure(kind="suspension", motivation="Gevaar voor bewijs.",
                                     by="bert", at=NOW) == "1"
    case.take_interim_measure(kind="change_of_duties", motivation="Geen inkoop.", by="bert",
                              at=NOW)
    case.take_interim_measure(kind="non_active", motivation="Rust.", by="bert", at=NOW)
    case.lift_interim_measure(measure_id="3", motivation="Niet meer nodig.", by="bert", at=NOW)
    refused(case, Conflict, lambda: case.lift_interim_measure(
        measure_id="3", motivation="m", by="bert", at=NOW))
    refused(case, NotFound, lambda: case.lift_interim_measure(
        measure_id="9", motivation="m", by="bert", at=NOW))
    assert case.interim_in_force == ["1", "2"]
    final_reported(case)
    none = [{"target": "person", "kind": "dismissal", "description": "Ontslag."}]
    for ending, kept in ((["1"], []), (["1", "3"], ["2"]), (["1", "1"], ["2"])):
        error = refused(case, InvalidInput, lambda e=ending, k=kept: case.take_measures(
            measures=none, feedback=None, by="bert", at=NOW, interim_ending=e, interim_kept=k))
        assert error.field == "interim_ending"  # type: ignore[attr-defined]
    case.take_measures(measures=none, feedback=None, by="bert", at=NOW,
                       interim_ending=["1"], interim_kept=["2"])
    assert case.status == "closed" and case.interim_in_force == ["2"]
    assert case.interim_measures[0]["lifted"]["by_final_measures"] is True
    assert case.interim_measures[1]["kept"] is True
    # A kept one may still be lifted after the close.
    case.lift_interim_measure(measure_id="2", motivation="Terug op de afdeling.", by="bert",
                              at=NOW)
    assert case.interim_in_force == []


def test_the_person_concerned_informed_postponed_heard_and_told() -> None:
    case = opened()
    refused(case, Conflict, lambda: case.record_hearing(held_on=TODAY, minutes="m",
                                                        by="bert", at=NOW))
    refused(case, Conflict, lambda: case.record_file_request(requested_on=TODAY, by="bert",
                                                             at=NOW))
    error = refused(case, InvalidInput, lambda: case.postpone_informing(
        reason="Bewijs kan verdwijnen.", until=TODAY, by="bert", at=NOW))
    assert error.field == "until"  # type: ignore[attr-defined]
    error = refused(case, InvalidInput, lambda: case.postpone_informing(
        reason=" ", until=TODAY + timedelta(days=14), by="bert", at=NOW))
    assert error.field == "reason"  # type: ignore[attr-defined]
    case.postpone_informing(reason="Bewijs kan verdwijnen.", until=TODAY + timedelta(days=14),
                            by="bert", at=NOW)
    assert case.informing_postponed_until == TODAY + timedelta(days=14)
    error = refused(case, InvalidInput, lambda: case.inform_person_concerned(
        informed_on=TODAY + timedelta(days=1), informed_by="bert", by="bert", at=NOW))
    assert error.field == "informed_on"  # type: ignore[attr-defined]
    case.inform_person_concerned(informed_on=TODAY, informed_by="de secretaris", by="bert",
                                 at=NOW)
    assert case.informing_postponed_until is None
    refused(case, Conflict, lambda: case.postpone_informing(
        reason="r", until=TODAY + timedelta(days=3), by="bert", at=NOW))
    case.record_hearing(held_on=TODAY, minutes="Hij legt uit.", by="bert", at=NOW)
    assert case.record_file_request(requested_on=TODAY, by="bert", at=NOW) == "1"
    refused(case, NotFound, lambda: case.answer_file_request(
        request_id="2", granted=True, answer="a", by="bert", at=NOW))
    refused(case, InvalidInput, lambda: case.answer_file_request(
        request_id="1", granted=False, answer=" ", by="bert", at=NOW))
    case.answer_file_request(request_id="1", granted=True, answer="Inzage op 3 mei.",
                             by="bert", at=NOW)
    refused(case, Conflict, lambda: case.answer_file_request(
        request_id="1", granted=True, answer="a", by="bert", at=NOW))
    refused(case, InvalidTransition, lambda: case.tell_outcome(told_on=TODAY, by="bert",
                                                               at=NOW))
    final_reported(case)
    case.take_measures(measures=[{"target": "person", "kind": "none", "description": "-"}],
                       feedback=None, by="bert", at=NOW)
    refused(case, InvalidTransition, lambda: case.record_hearing(
        held_on=TODAY, minutes="m", by="bert", at=NOW))
    case.tell_outcome(told_on=TODAY, by="bert", at=NOW)
    refused(case, Conflict, lambda: case.tell_outcome(told_on=TODAY, by="bert", at=NOW))


def test_the_response_term_is_the_one_set_when_the_draft_was_issued_and_lapses_once() -> None:
    case = opened()
    case.assign_investigators(investigators=[Investigator("ivan", "Ivan")], by="bert", at=NOW)
    case.record_plan(text="p", by="ivan", at=NOW)
    case.record_interview(interviewee="x", minutes="m", by="ivan", at=NOW)
    case.add_evidence(description="d", sha256="a" * 64, by="ivan", at=NOW)
    assert case.notice_response_term_lapse(at=NOW + timedelta(days=99)) is False
    case.issue_draft_report(text="d", by="ivan", at=NOW, term=timedelta(days=10))
    assert case.response_term_ends == NOW + timedelta(days=10)
    assert case.notice_response_term_lapse(at=NOW + timedelta(days=9)) is False
    assert case.notice_response_term_lapse(at=NOW + timedelta(days=10)) is True
    assert case.notice_response_term_lapse(at=NOW + timedelta(days=11)) is False
    # A revised draft runs a new term, which may lapse in its turn.
    later = NOW + timedelta(days=12)
    case.issue_draft_report(text="d2", by="ivan", at=later, term=timedelta(days=10))
    assert case.notice_response_term_lapse(at=later + timedelta(days=10)) is True
    assert [e.version for e in case.collect_events()
            if isinstance(e, Case.ResponseTermPassed)] == [1, 2]
