"""Investigation's API as the console's pages use it: the cases, and each step of the
conversation, the investigation protocol and the measures (see ../shared/API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from services.console.adapters.calls import Acting, Refusal, ServiceCaller, segment
from services.console.adapters.triage import Attachment


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CaseSummary(_Answer):
    id: str
    path: str
    theme: str
    status: str
    opened_at: datetime
    investigators: list[str]


class CaseList(_Answer):
    items: list[CaseSummary]
    total: int


class CaseEntry(_Answer):
    what: str
    who: str
    at: datetime


class Case(_Answer):
    id: str
    path: str
    status: str
    outcome: list[str]
    theme: str
    involved: list[str]
    opened_at: datetime
    investigators: list[str]
    conversation: dict[str, Any] | None
    plan: dict[str, Any] | None
    interviews: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    draft_report: dict[str, Any] | None
    response: dict[str, Any] | None
    final_report: dict[str, Any] | None
    measures: list[dict[str, Any]] | None
    history: list[CaseEntry]
    response_term_ends: datetime | None = None
    #: The melding's assigned competent authority (who takes the case's decisions).
    competent_authority: str | None = None
    #: What the case's status allows now (investigation's state machine says).
    steps: list[str] = []
    escalation: dict[str, Any] | None = None
    interim_measures: list[dict[str, Any]] = []
    #: None for a reader who sees the case's steps, not what it holds (the meldpunt).
    person_concerned: dict[str, Any] | None = None


#: Each step's command (as `Case.steps` names it) -> its path under the case.
STEP_PATHS = {
    "assign_investigators": "investigators", "record_conversation": "conversation",
    "record_plan": "plan", "record_interview": "interviews",
    "comment_on_interview": "comments", "add_evidence": "evidence",
    "issue_draft_report": "draft-report", "record_response": "response",
    "record_response_lapse": "response-term-lapsed", "issue_final_report": "final-report",
    "take_measures": "measures", "escalate": "escalation",
    "take_interim_measure": "interim-measures",
    "inform_person_concerned": "person-concerned/informed",
    "postpone_informing": "person-concerned/postponement",
    "record_hearing": "person-concerned/hearing",
    "record_file_request": "person-concerned/file-requests",
    "tell_outcome": "person-concerned/outcome",
}
#: Steps on one part of the case: the body's field naming it -> the path around it.
PART_PATHS = {
    "comment_on_interview": ("interview_id", "interviews/{}/comments"),
    "lift_interim_measure": ("measure_id", "interim-measures/{}/lifting"),
    "answer_file_request": ("request_id", "person-concerned/file-requests/{}/answer"),
}


class InvestigationClient:
    def __init__(self, caller: ServiceCaller) -> None:
        self.caller = caller

    async def cases(self, acting: Acting, *, offset: int, limit: int) -> CaseList:
        return await self.caller.get(acting, "/api/cases", CaseList, offset=offset,
                                     limit=limit)

    async def case(self, acting: Acting, case_id: str) -> Case:
        return await self.caller.get(acting, f"/api/cases/{segment(case_id)}", Case)

    async def attachments(self, acting: Acting, case_id: str) -> list[Attachment]:
        """The reporter's files with the melding, for who reads the case's content."""
        response = await self.caller.call(acting, "GET",
                                          f"/api/cases/{segment(case_id)}/attachments")
        return [Attachment.model_validate(item) for item in response.json()]

    async def attachment(self, acting: Acting, case_id: str,
                         attachment_id: str) -> httpx.Response:
        """A reporter's file as investigation serves it (the download in the case's
        history, as this person), streamed as `TriageClient.attachment` is."""
        return await self.caller.stream(
            acting, f"/api/cases/{segment(case_id)}/attachments/{segment(attachment_id)}")

    async def evidence_file(self, acting: Acting, case_id: str,
                            file_id: str) -> httpx.Response:
        """An evidence file byte for byte, streamed (the download in the case's history)."""
        return await self.caller.stream(
            acting, f"/api/cases/{segment(case_id)}/evidence/{segment(file_id)}")

    async def step(self, acting: Acting, case_id: str, command: str,
                   body: dict[str, Any], *, files: dict[str, Any] | None = None) -> None:
        """One step of the case; an interview's comments go to that interview. With
        `files` (the evidence's), the body goes as the multipart fields beside them."""
        if command == "change_investigators":
            await self._change_investigator(acting, case_id, body)
            return
        if command in PART_PATHS:
            field, template = PART_PATHS[command]
            part = body.pop(field, "")
            if not part:
                raise Refusal(422, "Choose which one.", fields={field: "required"})
            path = f"/api/cases/{segment(case_id)}/{template.format(segment(part))}"
        else:
            path = f"/api/cases/{segment(case_id)}/{STEP_PATHS[command]}"
        if files:
            try:
                await self.caller.call(acting, "POST", path, data=body, files=files)
            finally:
                for _, handle in files.values():
                    handle.close()
            return
        await self.caller.call(acting, "POST", path,
                               json=None if command == "record_response_lapse" else body)

    async def _change_investigator(self, acting: Acting, case_id: str,
                                   body: dict[str, Any]) -> None:
        """Adds (`change` "add") or removes ("remove") the one investigator named."""
        sub, change = body.get("investigators", ""), body.get("change", "")
        missing = {name: "required" for name, value in
                   (("investigators", sub), ("change", change)) if not value}
        if missing or change not in ("add", "remove"):
            raise Refusal(422, "Choose an investigator and whether to add or remove them.",
                          fields=missing or {"change": "add or remove"})
        await self.caller.call(acting, "POST" if change == "add" else "DELETE",
                               f"/api/cases/{segment(case_id)}/investigators/{segment(sub)}")
