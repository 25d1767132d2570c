"""The melding as triage handles it: received, assessed, decided, closed.

Every step is an event on the `Report` aggregate and an entry in its history (who,
what, when). Which step is allowed in which status is the table `TRANSITIONS`
(`procedure.py`), and nowhere else: each command checks it before it records
anything, and each event takes its new status from it, so a refused command leaves
no event behind.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from services.triage.domain.closing import Closing
from services.triage.domain.feedback import template
from services.triage.domain.procedure import (
    Status,
    check_decision,
    check_police_report,
    closing_reason,
)
from services.triage.domain.retention import closing_outcome
from services.triage.domain.routing import People, Routing, RoutingTable
from shared.contracts import ClosingReason, RecordStatus, RetentionOutcome, opens_case
from shared.errors import Conflict, InvalidInput
from shared.names import normalised


class Report(Closing):
    """A melding in the meldpunt's queue (its hold and shredding: `Retained`). Its id
    is the id intake gave it, so a redelivered `melding_received` cannot create a twin."""

    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        ReplyReceived: ClassVar[type[Any]]
        Received: ClassVar[type[Any]]
        Assessed: ClassVar[type[Any]]
        Decided: ClassVar[type[Any]]
        MessageSent: ClassVar[type[Any]]
        Closed: ClassVar[type[Any]]
        Routed: ClassVar[type[Any]]
        Reassigned: ClassVar[type[Any]]
        Recused: ClassVar[type[Any]]
        Reopened: ClassVar[type[Any]]
        PoliceReportRecorded: ClassVar[type[Any]]
        ConcernsNoted: ClassVar[type[Any]]
        LanguageNoted: ClassVar[type[Any]]
        IdentityConsentNoted: ClassVar[type[Any]]
        IdentityRead: ClassVar[type[Any]]
        RecordStatusNoted: ClassVar[type[Any]]
        MeetingRequestNoted: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return melding_id

    @event("Received")
    def __init__(self, *, melding_id: UUID, kind: str, theme: str, channel: str,
                 description: str, involved: list[str], occurred: date | None,
                 anonymous: bool, identity: dict[str, Any] | None, received_at: datetime,
                 acknowledged_at: datetime) -> None:
        self.kind = kind
        self.theme = theme
        self.channel = channel
        self.description = description
        self.involved = involved
        self.occurred = occurred
        self.anonymous = anonymous
        # Only a named reporter's; intake never sends an anonymous one's.
        self.identity = None if anonymous else identity
        self.received_at = received_at
        self.acknowledged_at = acknowledged_at
        self.language = "nl"  # until intake says otherwise: it was the only one
        # A named reporter's say on passing the identity on (None: not asked or not
        # answered, which counts as no), and every time staff read it.
        self.identity_consent: bool | None = None
        self.identity_consent_at: datetime | None = None
        self.identity_reads: list[dict[str, Any]] = []
        # As intake reports them: the record (verslag) of an oral or in-person melding
        # with the reporter, and the term of an open request to meet.
        self.record_status: RecordStatus | None = None
        self.meeting_due_by: datetime | None = None
        self.status: Status = "received"
        self.assessment: dict[str, Any] | None = None
        self.earlier_assessments: list[dict[str, Any]] = []  # replaced by a re-assessment
        self.earlier_decisions: list[dict[str, Any]] = []  # before a reopening
        self.reopened_at: datetime | None = None
        self.had_case = False
        self.police_reports: list[dict[str, Any]] = []
        self.decision: dict[str, Any] | None = None
        self.proposed_feedback = ""
        # The closing feedback due from the meldpunt: `{start, advice, due_since,
        # given_at}`, the template's start and what the authority or investigation wrote.
        self.closing_feedback: dict[str, Any] | None = None
        self.closure: dict[str, Any] | None = None
        self.messages: list[dict[str, Any]] = []
        self.feedback_at: datetime | None = None
        # Who is concerned, who acts as the competent authority (`{sub, rule, source,
        # flagged}`, set at assessment), and who declared a conflict of interest.
        self.concerns = "unknown"  # until the reporter or the meldpunt says otherwise
        self.concerned_staff: list[str] = []
        self.competent_authority: dict[str, Any] | None = None
        self.recusals: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = [
            {"what": "received", "who": f"intake ({channel})", "at": received_at},
            {"what": "acknowledged", "who": "intake", "at": acknowledged_at},
        ]

    # -- commands: check, then record -------------------------------------------------

    def assess(self, *, admissible: bool, reasonable_grounds: bool, code_violation: bool,
               severity: str, theme: str, advice: str, motivation: str, feedback: str,
               routing: Routing, by: str, at: datetime, concerns: str | None = None,
               concerned_staff: list[str] | None = None,
               closes_inadmissible: bool = False, official_crime: bool = False) -> None:
        """The meldpunt's assessment and advice (also "not admissible", unless the meldpunt
        is mandated to close those: `closes_inadmissible`), with who is concerned and the
        competent authority routing chose. A concerned meldpunt officer leaves it."""
        self._check("assess")
        concerned_staff = list(concerned_staff or [])
        if normalised(by) in {normalised(sub) for sub in concerned_staff}:
            raise Conflict("You are concerned in this melding: another meldpunt officer "
                           "assesses it.", field="concerned_staff")
        self._routed(concerns=concerns or self.concerns, concerned_staff=concerned_staff,
                     sub=routing.sub, rule=routing.rule, source=routing.source,
                     flagged=routing.flagged, by=by, at=at)
        self._assessed(admissible=admissible, reasonable_grounds=reasonable_grounds,
                       code_violation=code_violation, severity=severity, theme=theme,
                       advice=advice, motivation=motivation, feedback=feedback,
                       official_crime=official_crime, by=by, at=at)
        if not admissible and closes_inadmissible:
            self.close(reason="inadmissible", start=feedback or template(
                "inadmissible", self.language), advice=None, by=by, at=at)

    def decide(self, *, outcome: list[str], motivation: str, police_report_on: date | None,
               feedback: str | None, by: str, at: datetime, referral_to: str | None = None,
               police_report_motivation: str | None = None) -> None:
        """The competent authority's decision on the advice; without a case it closes."""
        self._check("decide")
        check_decision(outcome, police_report_on, referral_to, police_report_motivation,
                       official_crime=bool(self.assessment
                                           and self.assessment.get("official_crime")),
                       had_case=self.had_case)
        if "police_report" in outcome and police_report_on is None:
            police_report_on = at.date()
        # The decision carries the persons concerned and who assessed, so that
        # investigation can refuse a conflicted investigator.
        self._decided(outcome=list(outcome), motivation=motivation,
                      police_report_on=police_report_on, referral_to=referral_to,
                      police_report_motivation=police_report_motivation, theme=self.theme,
                      involved=list(self.involved), assessed_by=self.assessed_by or "",
                      by=by, at=at, files_listed=True)
        reason = closing_reason(outcome, self.admissible)
        if reason is not None:
            proposed = self.proposed_feedback if reason == "inadmissible" else ""
            self.close(reason=reason, start=template(reason, self.language),
                       advice=feedback or proposed or None, by=by, at=at)

    def note_concerns(self, concerns: str) -> None:  # as the reporter gave it
        if concerns != self.concerns:
            self._concerns_noted(concerns=concerns)

    def note_language(self, language: str) -> None:  # the feedback templates' language
        if language != self.language:
            self._language_noted(language=language)

    def reassign(self, *, sub: str, motivation: str, table: RoutingTable, people: People,
                 by: str, at: datetime) -> None:
        """The meldpunt assigns another competent authority (or the first, for a
        flagged melding), with a motivation kept in the history: one the directory
        knows with that role, not concerned and not recused."""
        self._check("reassign")
        excluded = {normalised(s) for s in
                    (*self.concerned_staff, *(r["sub"] for r in self.recusals))}
        if not table.assignable(sub, excluded, people):
            raise InvalidInput(f"{sub!r} cannot be this melding's competent authority: not "
                               "in the directory with that role, concerned or recused.",
                               field="competent_authority")
        self._reassigned(sub=sub, motivation=motivation, by=by, at=at)

    def recuse(self, *, reason: str, by: str, at: datetime) -> None:
        """`by` declares a conflict of interest: from now on the melding is not theirs."""
        self._check("recuse")
        if any(normalised(r["sub"]) == normalised(by) for r in self.recusals):
            return
        self._recused(reason=reason, by=by, at=at)

    def excludes(self, sub: str) -> bool:
        """Whether `sub` is concerned in this melding or recused from it."""
        wanted = normalised(sub)
        return any(normalised(other) == wanted for other in
                   (*self.concerned_staff, *(r["sub"] for r in self.recusals)))

    def record_police_report(self, *, filed_on: date, registration_number: str, by: str,
                             at: datetime) -> None:
        """A police report (aangifte) filed about the melding, at any stage."""
        self._check("record_police_report")
        check_police_report(filed_on, registration_number, at, self.police_reports)
        self._police_report_recorded(filed_on=filed_on,
                                     registration_number=registration_number, by=by, at=at)

    def reopen(self, *, motivation: str, by: str, at: datetime) -> None:
        """Its competent authority reopens it: decided anew, the feedback term anew."""
        self._check("reopen")
        self._reopened(motivation=motivation, by=by, at=at)

    @property
    def term_start(self) -> datetime | None:
        """Where the feedback term runs from: the acknowledgement, or the reopening."""
        return self.reopened_at or self.acknowledged_at

    def note_identity_consent(self, *, given: bool, at: datetime) -> bool:
        """The reporter's answer from the mailbox; the latest one stands. False for a
        copy already noted or an answer older than the one that stands."""
        if self.anonymous or (self.identity_consent_at is not None
                              and at <= self.identity_consent_at):
            return False
        self._identity_consent_noted(given=given, at=at)
        return True

    def record_identity_read(self, *, by: str, at: datetime) -> None:
        """`by` read the named reporter's identity: every read is on the log."""
        if self.anonymous or not self.identity:
            raise InvalidInput("This melding has no named reporter's identity.",
                               field="identity")
        self._identity_read(by=by, at=at)

    def note_record_status(self, status: RecordStatus) -> bool:
        if status == self.record_status:
            return False
        self._record_status_noted(status=status)
        return True

    def note_meeting_request(self, due_by: datetime | None) -> bool:
        """An open request to meet (its term), or None once a meeting answered it."""
        if due_by == self.meeting_due_by:
            return False
        self._meeting_request_noted(due_by=due_by)
        return True

    def message_reporter(self, *, body: str, purpose: str, by: str, at: datetime) -> None:
        self._check("message_reporter")
        self._messaged(body=body, purpose=purpose, by=by, at=at)

    def record_reply(self, *, body: str, at: datetime) -> bool:
        """The reporter's reply from the mailbox; False for a copy already recorded."""
        self._check("record_reply")
        if any(m["from"] == "reporter" and m["at"] == at and m["body"] == body
               for m in self.messages):
            return False
        self._replied(body=body, at=at)
        return True

    # -- events: what happened -----------------------------------------------------------

    @event("Assessed")
    def _assessed(self, *, admissible: bool, reasonable_grounds: bool, code_violation: bool,
                  severity: str, theme: str, advice: str, motivation: str, by: str,
                  at: datetime, feedback: str = "", official_crime: bool = False) -> None:
        if self.assessment is not None:
            self.earlier_assessments.append(self.assessment)
        self.assessment = {
            "admissible": admissible, "reasonable_grounds": reasonable_grounds,
            "code_violation": code_violation, "severity": severity, "theme": theme,
            "advice": advice, "motivation": motivation, "official_crime": official_crime,
            "assessed_by": by, "at": at,
        }
        # What the reporter is told if the competent authority follows the advice.
        self.proposed_feedback = feedback
        self.theme = theme  # the confirmed theme is the one that counts from now on
        self._advance("assess")
        self.history.append({"what": "re-assessed" if self.earlier_assessments
                             else "assessed", "who": by, "at": at})

    @event("Decided")
    def _decided(self, *, outcome: list[str], motivation: str, police_report_on: date | None,
                 theme: str, involved: list[str], assessed_by: str, by: str,
                 at: datetime, referral_to: str | None = None,
                 police_report_motivation: str | None = None,
                 files_listed: bool = False) -> None:
        # `files_listed`: melding_decided lists the files known then; a decision stored
        # without it was published before it did (services/triage/files/backfill.py).
        self.had_case = self.had_case or opens_case(outcome)
        self.decision = {"outcome": outcome, "motivation": motivation,
                         "police_report_on": police_report_on, "referral_to": referral_to,
                         "police_report_motivation": police_report_motivation,
                         "decided_by": by, "at": at}
        self._advance("decide")
        self.history.append({"what": "decided", "who": by, "at": at})

    @event("ConcernsNoted")
    def _concerns_noted(self, *, concerns: str) -> None:
        self.concerns = concerns

    @event("LanguageNoted")
    def _language_noted(self, *, language: str) -> None:
        self.language = language

    @event("Routed")
    def _routed(self, *, concerns: str, concerned_staff: list[str], sub: str | None,
                rule: str, source: str, flagged: str | None, by: str, at: datetime) -> None:
        self.concerns = concerns
        self.concerned_staff = concerned_staff
        self.competent_authority = {"sub": sub, "rule": rule, "source": source,
                                    "flagged": flagged}
        what = (f"competent authority: {sub} ({rule})" if sub is not None
                else f"flagged for the meldpunt: {flagged} ({rule})")
        self.history.append({"what": what, "who": by, "at": at})

    @event("Reassigned")
    def _reassigned(self, *, sub: str, motivation: str, by: str, at: datetime) -> None:
        self.competent_authority = {"sub": sub, "rule": "assigned by the meldpunt",
                                    "source": "the meldpunt's motivation", "flagged": None}
        self.history.append({"what": f"competent authority reassigned to {sub}", "who": by,
                             "at": at, "motivation": motivation})

    @event("Reopened")
    def _reopened(self, *, motivation: str, by: str, at: datetime) -> None:
        if self.decision is not None:
            self.earlier_decisions.append(self.decision)
        self.decision, self.closure, self.closing_feedback = None, None, None
        self.reopened_at, self.feedback_at = at, None
        self._advance("reopen")
        self.history.append({"what": "reopened", "who": by, "at": at,
                             "motivation": motivation})

    @event("PoliceReportRecorded")
    def _police_report_recorded(self, *, filed_on: date, registration_number: str, by: str,
                                at: datetime) -> None:
        self.police_reports.append({"filed_on": filed_on,
                                    "registration_number": registration_number,
                                    "by": by, "at": at})
        self.history.append({"what": "police report recorded", "who": by, "at": at})

    @event("Recused")
    def _recused(self, *, reason: str, by: str, at: datetime) -> None:
        self.recusals.append({"sub": by, "reason": reason, "at": at})
        self.history.append({"what": "conflict of interest declared", "who": by, "at": at})

    @event("IdentityConsentNoted")
    def _identity_consent_noted(self, *, given: bool, at: datetime) -> None:
        self.identity_consent, self.identity_consent_at = given, at
        what = "identity consent given" if given else "identity consent withheld"
        self.history.append({"what": what, "who": "reporter", "at": at})

    @event("IdentityRead")
    def _identity_read(self, *, by: str, at: datetime) -> None:
        self.identity_reads.append({"by": by, "at": at})

    @event("RecordStatusNoted")
    def _record_status_noted(self, *, status: RecordStatus) -> None:
        self.record_status = status

    @event("MeetingRequestNoted")
    def _meeting_request_noted(self, *, due_by: datetime | None) -> None:
        self.meeting_due_by = due_by

    @event("MessageSent")
    def _messaged(self, *, body: str, purpose: str, by: str, at: datetime) -> None:
        self.messages.append({"from": "meldpunt", "body": body, "purpose": purpose, "at": at})
        if purpose == "feedback" and self.feedback_at is None:
            self.feedback_at = at
        if purpose == "feedback" and self.closing_feedback is not None:
            self.closing_feedback["given_at"] = at
        self.history.append({"what": f"{purpose}_sent", "who": by, "at": at})

    @event("Closed")
    def _closed(self, *, reason: ClosingReason, by: str, at: datetime,
                outcome: RetentionOutcome | None = None, start: str = "",
                advice: str | None = None) -> None:
        self.closure = {"reason": reason, "at": at, "outcome": closing_outcome(reason, outcome)}
        # A closing from before the meldpunt wrote it sent its feedback itself: no start.
        self.closing_feedback = {"start": start, "advice": advice, "due_since": at,
                                 "given_at": None} if start else None
        self._advance("close")
        self.history.append({"what": f"closed ({reason})", "who": by, "at": at})

    @event("ReplyReceived")
    def _replied(self, *, body: str, at: datetime) -> None:
        self.messages.append({"from": "reporter", "body": body, "purpose": "reply", "at": at})
        self.history.append({"what": "reporter_replied", "who": "reporter", "at": at})

    @property
    def admissible(self) -> bool:
        return bool(self.assessment["admissible"]) if self.assessment else True

    @property
    def assessed_by(self) -> str | None:
        return self.assessment["assessed_by"] if self.assessment else None
