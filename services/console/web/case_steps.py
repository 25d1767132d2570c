"""The forms of a case's steps: for each step its command (as investigation names it
in a case's `steps`), the action of the authorization table it needs, and how the
form's fields become the request's body. Each form's fields have their own names, so
that the forms a case offers at once can share its page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A form field posted more than once (a checkbox group, the rows of measures).
Fields = dict[str, list[str]]


@dataclass(frozen=True)
class Step:
    command: str
    action: str
    #: form field -> the request's field (what investigation names in its refusals)
    fields: dict[str, str]


STEPS: dict[str, Step] = {step.command: step for step in (
    Step("assign_investigators", "case.assign_investigators",
         {"investigators": "investigators"}),
    # One investigator added to, or removed from, an open investigation.
    Step("change_investigators", "case.assign_investigators",
         {"change": "change", "investigator": "investigators"}),
    Step("record_conversation", "case.record_conversation", {"minutes": "minutes"}),
    Step("record_plan", "case.investigate", {"plan_text": "text"}),
    Step("record_interview", "case.investigate",
         {"interviewee": "interviewee", "interview_minutes": "minutes"}),
    Step("comment_on_interview", "case.investigate",
         {"interview_id": "interview_id", "comment_text": "text"}),
    Step("add_evidence", "case.investigate",
         {"evidence_description": "description", "sha256": "sha256"}),
    Step("issue_draft_report", "case.investigate", {"draft_text": "text"}),
    Step("record_response", "case.investigate", {"response_text": "text"}),
    Step("record_response_lapse", "case.investigate", {}),
    Step("issue_final_report", "case.investigate",
         {"final_text": "text", "conclusion": "conclusion"}),
    Step("take_measures", "case.take_measures",
         {"target": "target", "kind": "kind", "measure_description": "description",
          "feedback": "feedback", "interim_ending": "interim_ending",
          "interim_kept": "interim_kept"}),
    Step("escalate", "case.escalate", {"escalation_motivation": "motivation"}),
    Step("take_interim_measure", "case.interim_measures",
         {"interim_kind": "kind", "interim_motivation": "motivation"}),
    Step("lift_interim_measure", "case.interim_measures",
         {"measure_id": "measure_id", "lift_motivation": "motivation"}),
    Step("inform_person_concerned", "case.person_concerned",
         {"informed_on": "informed_on", "informed_by": "informed_by"}),
    Step("postpone_informing", "case.person_concerned",
         {"postpone_reason": "reason", "postpone_until": "until"}),
    Step("record_hearing", "case.person_concerned",
         {"held_on": "held_on", "hearing_minutes": "minutes"}),
    Step("record_file_request", "case.person_concerned", {"requested_on": "requested_on"}),
    Step("answer_file_request", "case.person_concerned",
         {"request_id": "request_id", "granted": "granted", "file_answer": "answer"}),
    Step("tell_outcome", "case.person_concerned", {"told_on": "told_on"}),
)}
LISTS = frozenset({"investigators", "interim_ending", "interim_kept"})
MEASURE_ROWS = 3


def body_of(step: Step, posted: Fields) -> dict[str, Any]:
    """The request for `step` from what was posted, as typed: investigation judges it."""
    if step.command == "take_measures":
        return _measures(posted)
    body: dict[str, Any] = {}
    for name, api_name in step.fields.items():
        values = [v.strip() for v in posted.get(name, []) if v.strip()]
        if name in LISTS:
            body[api_name] = values
        elif values:
            body[api_name] = values[0]
    return body


def _measures(posted: Fields) -> dict[str, Any]:
    rows = zip(posted.get("target", []), posted.get("kind", []),
               posted.get("measure_description", []), strict=False)
    measures = [{"target": target, "kind": kind, "description": description.strip()}
                for target, kind, description in rows if kind or description.strip()]
    body: dict[str, Any] = {"measures": measures}
    for name in ("interim_ending", "interim_kept"):
        if chosen := [v for v in posted.get(name, []) if v]:
            body[name] = chosen
    feedback = (posted.get("feedback") or [""])[0].strip()
    if feedback:
        body["feedback"] = feedback
    return body


def applies(command: str, case: Any) -> bool:
    """Whether a step the case's status allows has anything to act on now: the
    person concerned's steps follow one another, a measure is lifted only while in
    force, a request answered only while open. (Investigation refuses them anyway.)"""
    concerned = case.person_concerned or {}
    informed = concerned.get("informed") is not None
    if command in ("inform_person_concerned", "postpone_informing"):
        return not informed
    if command in ("record_hearing", "record_file_request"):
        return informed
    if command == "tell_outcome":
        return informed and concerned.get("outcome_told") is None
    if command == "answer_file_request":
        return any(r["answer"] is None for r in concerned.get("file_requests", []))
    if command == "lift_interim_measure":
        return any(m["lifted"] is None for m in case.interim_measures)
    return True


def errors_of(step: Step, refused_fields: dict[str, str]) -> dict[str, str]:
    """The form's fields that investigation named (`measures.0.kind` is `kind`)."""
    named = {part for name in refused_fields for part in name.split(".")}
    if step.command == "take_measures" and "measures" in named and len(named) == 1:
        named.add("kind")  # no measure at all: the first row's kind is the one to fill
    return {form: form for form, api in step.fields.items() if api in named}
