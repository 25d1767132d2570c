"""The console's procedure pages, without a server: they say everything in both
languages for every value of the vocabularies they show, each form field has its
message, each step's form is a command investigation knows, and a posted form becomes
the request as typed (investigation, not the console, judges it)."""

from __future__ import annotations

from typing import Any, get_args

from services.console.web.case_steps import STEPS, body_of, errors_of
from services.console.web.report import sections
from services.console.web.texts import TEXTS
from services.investigation.domain.case import TRANSITIONS as CASE_TRANSITIONS
from services.triage.domain.procedure import TRANSITIONS as MELDING_TRANSITIONS
from shared.contracts import (
    Adviser,
    Channel,
    Conclusion,
    Kind,
    MeasureKind,
    MeasureTarget,
    MeldingStatus,
    MessagePurpose,
    Outcome,
    ReceivedHow,
    Severity,
    Theme,
)


def _shape(texts: Any) -> Any:
    if isinstance(texts, dict):
        return {key: _shape(value) for key, value in texts.items()}
    return type(texts).__name__


def test_english_and_dutch_have_the_same_texts() -> None:
    assert _shape(TEXTS["en"]) == _shape(TEXTS["nl"])


def test_every_value_shown_has_a_label_in_both_languages() -> None:
    vocabularies = {"themes": Theme, "kinds": Kind, "channels": Channel, "outcomes": Outcome,
                    "severities": Severity, "statuses": MeldingStatus,
                    "conclusions": Conclusion, "measure_kinds": MeasureKind,
                    "targets": MeasureTarget, "purposes": MessagePurpose,
                    "advisers": Adviser, "received_hows": ReceivedHow}
    for t in TEXTS.values():
        for key, vocabulary in vocabularies.items():
            assert set(t[key]) == set(get_args(vocabulary)), key


def test_each_case_step_is_a_command_of_investigation_with_a_message_per_field() -> None:
    assert set(STEPS) == set(CASE_TRANSITIONS)
    assert {"assess", "decide", "message_reporter"} <= set(MELDING_TRANSITIONS)
    for t in TEXTS.values():
        assert set(STEPS) == set(t["steps"])
        for step in STEPS.values():
            assert set(step.fields) <= set(t["field_errors"]), step.command


def test_a_step_posts_what_was_typed() -> None:
    plan = body_of(STEPS["record_plan"], {"plan_text": ["  Twee interviews. "]})
    assert plan == {"text": "Twee interviews."}
    assert body_of(STEPS["record_plan"], {"plan_text": [" "]}) == {}
    # The evidence's file goes to investigation beside these fields (evidence_upload).
    evidence = body_of(STEPS["add_evidence"], {"evidence_description": ["Factuur"]})
    assert evidence == {"description": "Factuur"}
    assignment = body_of(STEPS["assign_investigators"], {"investigators": ["ivo", "ida"]})
    assert assignment == {"investigators": ["ivo", "ida"]}


def test_measures_take_the_filled_rows_and_name_the_refused_fields() -> None:
    posted = {"target": ["person", "person", "person"], "kind": ["suspension", "", ""],
              "measure_description": ["Een week.", "", ""], "feedback": [""]}
    assert body_of(STEPS["take_measures"], posted) == {
        "measures": [{"target": "person", "kind": "suspension", "description": "Een week."}]}
    step = STEPS["take_measures"]
    assert errors_of(step, {"measures": "too short"}) == {"kind": "kind"}
    assert errors_of(step, {"measures.0.description": "empty"}) == {
        "measure_description": "measure_description"}


def test_the_report_is_one_section_per_figure_with_its_leaves() -> None:
    figures = {"year": 2026, "threshold": 3, "police_reports": "<3",
               "meldingen": {"total": 4, "by_theme": {"gifts": 4, "conduct": 0}}}
    assert sections(figures) == [
        ("police_reports", [([], "<3")]),
        ("meldingen", [(["total"], 4), (["by_theme", "gifts"], 4),
                       (["by_theme", "conduct"], 0)])]
