"""A case: the conversation or the investigation that follows a decision, then measures.

Which step is allowed in which status is the table `TRANSITIONS`
(`procedure.py`), and nowhere else. The case's parts each keep their own steps: the
interim measures (`interim.py`) and the person concerned (`concerned.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from services.investigation.domain.concerned import PersonConcerned
from services.investigation.domain.conflicts import Investigator, conflict_of
from services.investigation.domain.interim import InterimMeasures
from services.investigation.domain.measures import check_measures
from services.investigation.domain.procedure import (
    DEFAULT_RESPONSE_TERM,
    TRANSITIONS,
    first_status,
    path_of,
    required,
)
from services.investigation.domain.shredding import Shreddable
from shared.errors import Conflict, InvalidInput, NotFound
from shared.names import same

__all__ = ["DEFAULT_RESPONSE_TERM", "RESPONSE_TERM", "TRANSITIONS", "Case", "first_status",
           "path_of"]

#: The default term, under its older name.
RESPONSE_TERM = DEFAULT_RESPONSE_TERM


class Case(PersonConcerned, InterimMeasures, Shreddable):
    """Its id is the melding's id, so a redelivered decision cannot open a twin."""

    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        Opened: ClassVar[type[Any]]
        ConversationRecorded: ClassVar[type[Any]]
        InvestigatorsAssigned: ClassVar[type[Any]]
        PlanRecorded: ClassVar[type[Any]]
        InterviewRecorded: ClassVar[type[Any]]
        EvidenceAdded: ClassVar[type[Any]]
        DraftReportIssued: ClassVar[type[Any]]
        ResponseRecorded: ClassVar[type[Any]]
        ResponseTermLapsed: ClassVar[type[Any]]
        FinalReportIssued: ClassVar[type[Any]]
        MeasuresTaken: ClassVar[type[Any]]
        InvestigatorAdded: ClassVar[type[Any]]
        InvestigatorRemoved: ClassVar[type[Any]]
        MeldingNoted: ClassVar[type[Any]]
        AuthorityAssigned: ClassVar[type[Any]]
        Recused: ClassVar[type[Any]]
        Escalated: ClassVar[type[Any]]
        ResponseTermStarted: ClassVar[type[Any]]
        ResponseTermPassed: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return melding_id

    @event("Opened")
    def __init__(self, *, melding_id: UUID, outcome: list[str], theme: str,
                 involved: list[str], assessed_by: str, decided_by: str,
                 at: datetime) -> None:
        self.path = path_of(outcome)
        # The allegation, for the investigators, and the melding's parties for the
        # per-melding rules, as `note_melding` records them (a case opened before
        # routing existed keeps these: whoever decided is its competent authority).
        self.description = ""
        self.competent_authority = decided_by
        self.excluded: list[str] = []
        self.outcome = outcome
        self.theme = theme
        self.involved = involved
        self.assessed_by = assessed_by
        self.decided_by = decided_by
        self.opened_at = at
        self.status = first_status(self.path)
        self.investigators: list[str] = []
        self.conversation: dict[str, Any] | None = None
        self.plan: dict[str, Any] | None = None
        self.interviews: list[dict[str, Any]] = []
        self.evidence: list[dict[str, Any]] = []
        self.draft_report: dict[str, Any] | None = None  # the latest version
        self.draft_reports: list[dict[str, Any]] = []  # every version, oldest first
        self.response: dict[str, Any] | None = None
        self.final_report: dict[str, Any] | None = None
        self.measures: list[dict[str, Any]] | None = None
        self.feedback: str | None = None  # what the reporter was told at the close
        self.history: list[dict[str, Any]] = [
            {"what": f"opened ({self.path})", "who": decided_by, "at": at}]
        self.escalation: dict[str, Any] | None = None
        #: When the latest draft's response term ends, as recorded with it (None for a
        #: draft issued before terms were recorded: the default term applies).
        self.response_term_end: datetime | None = None
        #: The draft version whose lapsed term was noticed (and published), if any.
        self.lapse_noticed_for: int | None = None
        self._init_interim()
        self._init_concerned()

    def is_assigned(self, sub: str) -> bool:
        return any(same(sub, investigator) for investigator in self.investigators)

    # -- commands: check, then record -------------------------------------------------

    def record_conversation(self, *, minutes: str, by: str, at: datetime) -> None:
        self._check("record_conversation")
        self._conversation_recorded(minutes=minutes, by=by, at=at)

    def escalate(self, *, motivation: str, by: str, at: datetime) -> None:
        """The competent authority turns the conversation into an investigation."""
        self._check("escalate")
        self._escalated(motivation=required(motivation, "motivation"), by=by, at=at)

    def assign_investigators(self, *, investigators: list[Investigator], by: str,
                             at: datetime) -> None:
        """The first team; `investigators` as the directory names them."""
        self._check("assign_investigators")
        if not investigators:
            raise InvalidInput("Assign at least one investigator.", field="investigators")
        for investigator in investigators:
            self._check_conflict(investigator)
        subs = list(dict.fromkeys(i.sub for i in investigators))
        self._investigators_assigned(investigators=subs, by=by, at=at)

    def add_investigator(self, *, investigator: Investigator, by: str, at: datetime) -> None:
        """One more investigator on an open investigation (none for one already on it)."""
        self._check("change_investigators")
        self._check_conflict(investigator)
        if not self.is_assigned(investigator.sub):
            self._investigator_added(sub=investigator.sub, by=by, at=at)

    def remove_investigator(self, *, sub: str, by: str, at: datetime) -> None:
        self._check("change_investigators")
        if not self.is_assigned(sub):
            raise InvalidInput(f"{sub!r} is not on this case.", field="investigators")
        if len(self.investigators) == 1:
            raise InvalidInput("A case keeps at least one investigator.",
                               field="investigators")
        self._investigator_removed(sub=next(i for i in self.investigators if same(i, sub)),
                                   by=by, at=at)

    def note_melding(self, *, description: str, competent_authority: str | None,
                     excluded: list[str]) -> None:
        """What the decision tells of the melding beyond the case's opening."""
        self._melding_noted(description=description,
                            competent_authority=competent_authority or self.decided_by,
                            excluded=list(excluded))

    def assign_authority(self, *, sub: str, at: datetime) -> None:
        """The meldpunt handed the melding to another competent authority (in triage)."""
        if not same(sub, self.competent_authority):
            self._authority_assigned(sub=sub, at=at)

    def recuse(self, *, sub: str, at: datetime) -> None:
        """`sub` declared a conflict of interest on the melding (in triage)."""
        if not any(same(sub, other) for other in self.excluded):
            self._recused(sub=sub, at=at)

    def _check_conflict(self, investigator: Investigator) -> None:
        reason = conflict_of(investigator.sub, investigator.name, involved=self.involved,
                             assessed_by=self.assessed_by, decided_by=self.decided_by,
                             excluded=self.excluded)
        if reason is not None:
            raise Conflict(f"{investigator.sub} may not investigate this case: {reason}",
                           investigator=investigator.sub, reason=reason)

    def record_plan(self, *, text: str, by: str, at: datetime) -> None:
        self._check("record_plan")
        self._plan_recorded(text=text, by=by, at=at)

    def record_interview(self, *, interviewee: str, minutes: str, by: str,
                         at: datetime) -> str:
        self._check("record_interview")
        interview_id = str(len(self.interviews) + 1)
        self._interview_recorded(interview_id=interview_id, interviewee=interviewee,
                                 minutes=minutes, by=by, at=at)
        return interview_id

    def comment_on_interview(self, *, interview_id: str, text: str, by: str,
                             at: datetime) -> None:
        self._check("comment_on_interview")
        if not any(i["interview_id"] == interview_id for i in self.interviews):
            raise NotFound(f"No interview {interview_id} in this case.")
        self._interview_commented(interview_id=interview_id, text=text, by=by, at=at)

    def add_evidence(self, *, description: str, sha256: str, by: str, at: datetime,
                     file_id: str | None = None) -> None:
        """`file_id`: the evidence file kept here (`EvidenceFiles`), if not outside."""
        self._check("add_evidence")
        self._evidence_added(description=description, sha256=sha256.lower(), by=by, at=at,
                             file_id=file_id)

    def issue_draft_report(self, *, text: str, by: str, at: datetime,
                           term: timedelta = DEFAULT_RESPONSE_TERM) -> None:
        """The draft, and the person concerned's term to respond to it, which runs
        from it (`term`, the organisation's setting when it was issued)."""
        self._check("issue_draft_report")
        self._draft_report_issued(text=text, by=by, at=at)
        self._response_term_started(ends=at + term)

    def notice_response_term_lapse(self, *, at: datetime) -> bool:
        """Record, once per draft, that its response term passed with no response
        (the clock's fact, not a step: the investigators still record the lapse, or a
        late response). Whether it recorded anything now."""
        ends = self.response_term_ends
        running = self.status in TRANSITIONS["record_response"]
        version = self.draft_report["version"] if self.draft_report else None
        if not running or ends is None or at < ends or self.lapse_noticed_for == version:
            return False
        # Whom it concerns travels with it: the console mails them.
        self._response_term_passed(version=version, ends=ends,
                                   investigators=list(self.investigators),
                                   competent_authority=self.competent_authority, at=at)
        return True

    def record_response(self, *, text: str, by: str, at: datetime) -> None:
        self._check("record_response")
        self._response_recorded(text=text, by=by, at=at)

    def record_response_lapse(self, *, by: str, at: datetime) -> None:
        self._check("record_response_lapse")
        ends = self.response_term_ends
        assert ends is not None  # the table put us after the draft
        if at < ends:
            raise Conflict(f"The term for a response runs until {ends.isoformat()}.",
                           term_ends=ends.isoformat())
        self._response_term_lapsed(by=by, at=at)

    def issue_final_report(self, *, text: str, conclusion: str, by: str, at: datetime) -> None:
        self._check("issue_final_report")
        self._final_report_issued(text=text, conclusion=conclusion, by=by, at=at)

    def take_measures(self, *, measures: list[dict[str, Any]], feedback: str | None, by: str,
                      at: datetime, interim_ending: list[str] | None = None,
                      interim_kept: list[str] | None = None) -> None:
        """The competent authority's measures (or 'none') close the case; they end or
        keep each interim measure still in force."""
        self._check("take_measures")
        check_measures(measures)
        self._settle_interim(ending=list(interim_ending or ()), kept=list(interim_kept or ()),
                             by=by, at=at)
        # The path travels with the closing: triage and reporting count by it.
        self._measures_taken(measures=measures, path=self.path, feedback=feedback, by=by,
                             at=at)

    @property
    def response_term_ends(self) -> datetime | None:
        """When the person concerned's term to respond to the draft report ends (None
        before there is a draft)."""
        if self.draft_report is None:
            return None
        if self.response_term_end is not None:
            return self.response_term_end
        ends: datetime = self.draft_report["at"] + DEFAULT_RESPONSE_TERM
        return ends

    # -- events: what happened -----------------------------------------------------------

    @event("ConversationRecorded")
    def _conversation_recorded(self, *, minutes: str, by: str, at: datetime) -> None:
        self.conversation = {"minutes": minutes, "by": by, "at": at}
        self._advance("record_conversation", "conversation recorded", by, at)

    @event("Escalated")
    def _escalated(self, *, motivation: str, by: str, at: datetime) -> None:
        self.escalation = {"motivation": motivation, "by": by, "at": at}
        self.path = "investigation"
        self._advance("escalate", "conversation turned into an investigation", by, at)

    @event("InvestigatorsAssigned")
    def _investigators_assigned(self, *, investigators: list[str], by: str,
                                at: datetime) -> None:
        self.investigators = investigators
        self._advance("assign_investigators",
                      f"investigators assigned: {', '.join(investigators)}", by, at)

    @event("InvestigatorAdded")
    def _investigator_added(self, *, sub: str, by: str, at: datetime) -> None:
        self.investigators = [*self.investigators, sub]
        self.history.append({"what": f"investigator added: {sub}", "who": by, "at": at})

    @event("InvestigatorRemoved")
    def _investigator_removed(self, *, sub: str, by: str, at: datetime) -> None:
        self.investigators = [i for i in self.investigators if i != sub]
        self.history.append({"what": f"investigator removed: {sub}", "who": by, "at": at})

    @event("MeldingNoted")
    def _melding_noted(self, *, description: str, competent_authority: str,
                       excluded: list[str]) -> None:
        self.description = description
        self.competent_authority = competent_authority
        self.excluded = excluded

    @event("AuthorityAssigned")
    def _authority_assigned(self, *, sub: str, at: datetime) -> None:
        self.competent_authority = sub
        self.history.append({"what": f"competent authority now {sub}", "who": "meldpunt",
                             "at": at})

    @event("Recused")
    def _recused(self, *, sub: str, at: datetime) -> None:
        self.excluded = [*self.excluded, sub]

    @event("PlanRecorded")
    def _plan_recorded(self, *, text: str, by: str, at: datetime) -> None:
        self.plan = {"text": text, "by": by, "at": at}
        self._advance("record_plan", "plan recorded", by, at)

    @event("InterviewRecorded")
    def _interview_recorded(self, *, interview_id: str, interviewee: str, minutes: str,
                            by: str, at: datetime) -> None:
        self.interviews.append({"interview_id": interview_id, "interviewee": interviewee,
                                "minutes": minutes, "comments": [], "by": by, "at": at})
        self._advance("record_interview", f"interview {interview_id} recorded", by, at)

    @event("InterviewCommented")
    def _interview_commented(self, *, interview_id: str, text: str, by: str,
                             at: datetime) -> None:
        interview = next(i for i in self.interviews if i["interview_id"] == interview_id)
        interview["comments"].append({"text": text, "by": by, "at": at})
        self._advance("comment_on_interview",
                      f"comments on interview {interview_id} recorded", by, at)

    @event("EvidenceAdded")
    def _evidence_added(self, *, description: str, sha256: str, by: str, at: datetime,
                        file_id: str | None = None) -> None:
        self.evidence.append({"description": description, "sha256": sha256, "by": by, "at": at,
                              "file_id": file_id})
        self._advance("add_evidence", "evidence added", by, at)

    @event("DraftReportIssued")
    def _draft_report_issued(self, *, text: str, by: str, at: datetime) -> None:
        version = len(self.draft_reports) + 1
        self.draft_report = {"text": text, "version": version, "by": by, "at": at}
        self.draft_reports.append(self.draft_report)
        self.response_term_end = None  # until the term that runs from it is recorded
        self._advance("issue_draft_report", "draft report issued" if version == 1
                      else f"draft report revised (version {version})", by, at)

    @event("ResponseTermStarted")
    def _response_term_started(self, *, ends: datetime) -> None:
        self.response_term_end = ends

    @event("ResponseTermPassed")
    def _response_term_passed(self, *, version: int | None, ends: datetime,
                              investigators: list[str], competent_authority: str,
                              at: datetime) -> None:
        self.lapse_noticed_for = version
        self.history.append({"what": "response term passed without a response",
                             "who": "investigation", "at": at})

    @event("ResponseRecorded")
    def _response_recorded(self, *, text: str, by: str, at: datetime) -> None:
        self.response = {"text": text, "lapsed": False, "by": by, "at": at}
        self._advance("record_response", "response recorded", by, at)

    @event("ResponseTermLapsed")
    def _response_term_lapsed(self, *, by: str, at: datetime) -> None:
        self.response = {"text": None, "lapsed": True, "by": by, "at": at}
        self._advance("record_response_lapse", "response term lapsed", by, at)

    @event("FinalReportIssued")
    def _final_report_issued(self, *, text: str, conclusion: str, by: str,
                             at: datetime) -> None:
        self.final_report = {"text": text, "conclusion": conclusion, "by": by, "at": at}
        self._advance("issue_final_report", f"final report issued ({conclusion})", by, at)

    @event("MeasuresTaken")
    def _measures_taken(self, *, measures: list[dict[str, Any]], path: str,
                        feedback: str | None, by: str, at: datetime) -> None:
        self.measures = measures
        self.feedback = feedback
        self._advance("take_measures", "measures taken; case closed", by, at)


#: What of a case's events carries the melding's content or personal data: the store
#: keeps these fields under the melding's own key (`shared.keyedfields`). Statuses,
#: dates, conclusions, investigators' ids and evidence hashes stay readable.
CONTENT_FIELDS: dict[type[Any], tuple[str, ...]] = {
    getattr(Case, name): fields for name, fields in {
        "Opened": ("involved",),
        "MeldingNoted": ("description",),
        "ConversationRecorded": ("minutes",),
        "PlanRecorded": ("text",),
        "InterviewRecorded": ("interviewee", "minutes"),
        "InterviewCommented": ("text",),
        "EvidenceAdded": ("description",),
        "DraftReportIssued": ("text",),
        "ResponseRecorded": ("text",),
        "FinalReportIssued": ("text",),
        # Who a measure concerns, and the words to the reporter; kinds travel readable.
        "MeasuresTaken": ("measures", "feedback"),
    }.items()}
