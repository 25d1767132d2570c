"""The forms of a case's steps: for each step its command (as investigation names it
in a case's `steps`), the action of the authorization table it needs, and how the
form's fields become the request's body. Each form's fields have their own names, so
that the forms a case offers at once can share its page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile

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
          "feedback": "feedback"}),
)}
LISTS = frozenset({"investigators"})
MEASURE_ROWS = 3


def body_of(step: Step, posted: Fields, files: dict[str, UploadFile]) -> dict[str, Any]:
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
    if step.command == "add_evidence" and "sha256" not in body and "file" in files:
        # The file stays with the investigator; the case keeps its fingerprint.
        body["sha256"] = hashlib.sha256(files["file"].file.read()).hexdigest()
    return body


def _measures(posted: Fields) -> dict[str, Any]:
    rows = zip(posted.get("target", []), posted.get("kind", []),
               posted.get("measure_description", []), strict=False)
    measures = [{"target": target, "kind": kind, "description": description.strip()}
                for target, kind, description in rows if kind or description.strip()]
    body: dict[str, Any] = {"measures": measures}
    feedback = (posted.get("feedback") or [""])[0].strip()
    if feedback:
        body["feedback"] = feedback
    return body


def errors_of(step: Step, refused_fields: dict[str, str]) -> dict[str, str]:
    """The form's fields that investigation named (`measures.0.kind` is `kind`)."""
    named = {part for name in refused_fields for part in name.split(".")}
    if step.command == "take_measures" and "measures" in named and len(named) == 1:
        named.add("kind")  # no measure at all: the first row's kind is the one to fill
    return {form: form for form, api in step.fields.items() if api in named}
