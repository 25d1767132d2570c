"""The triage application: the meldpunt's queue, the procedure's first steps, and
retention's holds and shredding. Commands come from the API; policies react to other
services' events, and never raise for a step the melding's state refuses (the inbox
would retry it forever): such an event is logged and passed over."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import singledispatchmethod
from typing import Any, get_args
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Cache, LRUCache, ProcessingEvent

from services.triage.adapters.outgoing import integration_event
from services.triage.domain.commands import Assessment, Decision, PoliceReport
from services.triage.domain.feedback import (
    case_closing,
    check_written,
    template,
    templates_language,
)
from services.triage.domain.report import Report
from services.triage.domain.routing import DEFAULT_TABLE, RoutingTable
from services.triage.files.application import received
from shared.auth import Principal
from shared.authz import MeldingParties, acts_as_competent_authority, may_read_identity, may_see
from shared.clock import Clock, SystemClock
from shared.contracts import (
    AttachmentReceived,
    CaseClosed,
    FeedbackOccasion,
    IdentityConsentRecorded,
    IntegrationEvent,
    Language,
    MeetingRequestChanged,
    MeldingReceived,
    RecordStatusChanged,
    ReporterReplied,
)
from shared.directory import Directory, StaffEvent, record_staff_event
from shared.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from shared.keyedfields import KeyedApplication
from shared.retention import retention_outcome

log = logging.getLogger("meldingen.triage")
CHANGED = "The melding was changed at the same time; try again."


class TriageApplication(KeyedApplication):
    name = "triage"
    #: The library's repository keeps the last 1,000 meldingen (and their desks, notes,
    #: protection, files) read, as decrypted aggregates; each `get` of one brings it up
    #: to date with the events stored after its version (one indexed query: a write by
    #: another process is seen), and hands out a copy. A read of a melding read before
    #: then replays and decrypts none of it (issue 23: the melding page's triage CPU).
    #: Shredding empties it (`forget`). `TRIAGE_AGGREGATE_CACHE_MAXSIZE=` turns it off.
    env = {"AGGREGATE_CACHE_MAXSIZE": "1000"}

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None,
                 routing: RoutingTable = DEFAULT_TABLE,
                 meldpunt_closes_inadmissible: bool = False,
                 closing_feedback_days: int = 5) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        #: The local view of the console's staff directory (fed by the bootstrap).
        self.directory = Directory()
        self.routing = routing
        #: The organisation mandated the meldpunt to close an inadmissible melding
        #: itself; otherwise its competent authority decides on that advice too.
        self.meldpunt_closes_inadmissible = meldpunt_closes_inadmissible
        #: Days after the closing by which the meldpunt gives the closing feedback.
        self.closing_feedback_days = closing_feedback_days

    # -- commands -------------------------------------------------------------------------

    def assess(self, melding_id: UUID, assessment: Assessment, principal: Principal) -> Report:
        concerned = self._staff(assessment.concerned_staff)
        if assessment.feedback:
            check_written(assessment.feedback, "feedback")

        def assess(report: Report) -> None:
            concerns = assessment.concerns or report.concerns
            routing = self.routing.route(concerns, concerned, self.directory,
                                         recused=[r["sub"] for r in report.recusals])
            report.assess(
                admissible=assessment.admissible,
                reasonable_grounds=assessment.reasonable_grounds,
                code_violation=assessment.code_violation, severity=assessment.severity,
                theme=assessment.theme, advice=assessment.advice,
                motivation=assessment.motivation,
                feedback=assessment.feedback or "",
                concerns=concerns, concerned_staff=concerned, routing=routing,
                closes_inadmissible=self.meldpunt_closes_inadmissible,
                official_crime=assessment.official_crime,
                by=principal.sub, at=self.clock.now())

        return self._update(melding_id, principal, assess)

    def decide(self, melding_id: UUID, decision: Decision, principal: Principal) -> Report:
        if decision.feedback:
            check_written(decision.feedback, "feedback")

        def decide(report: Report) -> None:
            self._as_competent_authority(report, principal, "melding.decide")
            report.decide(
                outcome=list(decision.outcome), motivation=decision.motivation,
                police_report_on=decision.police_report_on,
                feedback=decision.feedback, referral_to=decision.referral_to,
                police_report_motivation=decision.police_report_motivation, by=principal.sub,
                at=self.clock.now())

        return self._update(melding_id, principal, decide)

    def record_police_report(self, melding_id: UUID, police_report: PoliceReport,
                             principal: Principal) -> Report:
        """A police report filed about the melding, at any stage."""
        return self._update(melding_id, principal, lambda report: report.record_police_report(
            filed_on=police_report.filed_on,
            registration_number=police_report.registration_number, by=principal.sub,
            at=self.clock.now()))

    def reopen(self, melding_id: UUID, motivation: str, principal: Principal) -> Report:
        def reopen(report: Report) -> None:
            self._as_competent_authority(report, principal, "melding.reopen")
            report.reopen(motivation=motivation, by=principal.sub, at=self.clock.now())

        return self._update(melding_id, principal, reopen)

    def _as_competent_authority(self, report: Report, principal: Principal,
                                action: str) -> None:
        if not acts_as_competent_authority(principal.role, principal.sub,
                                           self.parties(report)):
            raise Forbidden("Only the melding's assigned competent authority does this.",
                            action=action)

    def message_reporter(self, melding_id: UUID, body: str, *, purpose: str,
                         principal: Principal) -> Report:
        """A message, or feedback, in the meldpunt's own words (a template's gap filled)."""
        check_written(body, "body")
        return self._update(melding_id, principal, lambda report: report.message_reporter(
            body=body, purpose=purpose, by=principal.sub, at=self.clock.now()))

    def give_closing_feedback(self, melding_id: UUID, body: str,
                              principal: Principal) -> Report:
        """The closing feedback in the meldpunt's own words, once the melding closed."""
        check_written(body, "body")
        return self._update(melding_id, principal, lambda report: report.give_closing_feedback(
            body=body, by=principal.sub, at=self.clock.now()))

    def reassign(self, melding_id: UUID, sub: str, motivation: str,
                 principal: Principal) -> Report:
        """The meldpunt hands the melding to another competent authority."""
        return self._update(melding_id, principal, lambda report: report.reassign(
            sub=sub, motivation=motivation, table=self.routing, people=self.directory,
            by=principal.sub, at=self.clock.now()))

    def recuse(self, melding_id: UUID, reason: str, principal: Principal) -> None:
        """A conflict of interest; whom the melding excludes already gets 404."""
        def recuse(report: Report) -> None:
            if report.excludes(principal.sub):
                raise self._not_found(melding_id)
            report.recuse(reason=reason, by=principal.sub, at=self.clock.now())

        self.update(lambda: self._stored(melding_id), recuse, conflict=CHANGED)

    # -- retention: the legal hold (shredding: adapters/retention.py) ----------------------

    def place_hold(self, melding_id: UUID, motivation: str, principal: Principal) -> Report:
        return self._update(melding_id, principal, lambda report: report.place_hold(
            motivation=motivation, by=principal.sub, at=self.clock.now()))

    def lift_hold(self, melding_id: UUID, motivation: str, principal: Principal) -> Report:
        return self._update(melding_id, principal, lambda report: report.lift_hold(
            motivation=motivation, by=principal.sub, at=self.clock.now()))

    def _staff(self, subs: tuple[str, ...]) -> list[str]:
        """The concerned staff as the directory names them; 422 naming an unknown one."""
        found = []
        for sub in subs:
            member = self.directory.find(sub)
            if member is None:
                raise InvalidInput(f"{sub!r} is not in the staff directory.",
                                   field="concerned_staff")
            found.append(member.sub)
        return list(dict.fromkeys(found))

    def _update(self, melding_id: UUID, principal: Principal,
                change: Callable[[Report], object]) -> Report:
        return self.update(lambda: self.get_report(melding_id, principal), change, conflict=CHANGED)

    # -- reading ----------------------------------------------------------------------------

    def get_report(self, melding_id: UUID, principal: Principal) -> Report:
        """The melding, if `principal` may see it (`shared.authz.may_see`); 404 alike
        for one that does not exist and one that is not theirs to see."""
        report = self._stored(melding_id)
        if not may_see(principal.role, principal.sub, self.parties(report)):
            raise self._not_found(melding_id)
        report.check_unshredded()  # 410, with the day
        return report

    def read(self, melding_id: UUID, principal: Principal
             ) -> tuple[Report, dict[str, Any] | None]:
        """The melding and, for whom `shared.authz.may_read_identity` allows it, its
        named reporter's identity; that read is recorded (who, when) before it is shown."""
        shown: list[dict[str, Any]] = []

        def read(report: Report) -> None:
            shown.clear()
            if report.identity and may_read_identity(
                    principal.role, principal.sub, self.parties(report),
                    consent=report.identity_consent):
                report.record_identity_read(by=principal.sub, at=self.clock.now())
                shown.append(report.identity)

        report = self._update(melding_id, principal, read)
        return report, shown[0] if shown else None

    def feedback_templates(self, melding_id: UUID, principal: Principal
                           ) -> tuple[Language, dict[FeedbackOccasion, str]]:
        return self.templates_for(self.get_report(melding_id, principal))

    @staticmethod
    def templates_for(report: Report) -> tuple[Language, dict[FeedbackOccasion, str]]:
        """The feedback templates in the language of a melding already read."""
        language = templates_language(report.language)
        return language, {occasion: template(occasion, language)
                          for occasion in get_args(FeedbackOccasion)}

    def competent_authority(self, report: Report) -> dict[str, Any] | None:
        """`{sub, rule, source, flagged}`; a melding assessed before routing existed
        has the organisation's default competent authority."""
        if report.competent_authority is not None or report.status == "received":
            return report.competent_authority
        return {"sub": self.routing.default, "rule": "assessed before routing: default",
                "source": "MELDINGEN_DEFAULT_COMPETENT_AUTHORITY",
                "flagged": None if self.routing.default else "no default configured"}

    def parties(self, report: Report) -> MeldingParties:
        authority = self.competent_authority(report)
        return MeldingParties(
            competent_authority=authority["sub"] if authority else None,
            excluded=(*report.concerned_staff, *(r["sub"] for r in report.recusals)))

    def _stored(self, melding_id: UUID) -> Report:
        try:
            return self.repository.get(melding_id)
        except AggregateNotFoundError:
            raise self._not_found(melding_id) from None

    def forget(self) -> None:
        """Nothing held in memory of any aggregate read (shredding's last step: a
        melding's notes, protection and files are aggregates of their own). A read
        under way keeps its own copy, and a copy it puts back is emptied of a shredded
        melding's content at its next read (the `Shredded` event)."""
        cache = self.repository.cache
        if isinstance(cache, LRUCache):
            self.repository.cache = LRUCache(maxsize=cache.maxsize)
        elif cache is not None:
            self.repository.cache = Cache()

    @staticmethod
    def _not_found(melding_id: UUID) -> NotFound:
        return NotFound(f"No melding with id {melding_id}.")

    # -- policies: other services' events -----------------------------------------------

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Integration events that triage does not react to."""

    @policy.register
    def _(self, event: MeldingReceived, processing_event: ProcessingEvent[UUID]) -> None:
        if self.find(UUID(event.melding_id), processing_event) is not None:
            return  # a copy that outlived the de-duplication window
        report = Report(
            melding_id=UUID(event.melding_id),
            kind=event.kind,
            theme=event.theme,
            channel=event.channel,
            description=event.description,
            involved=list(event.involved),
            occurred=event.occurred,
            anonymous=event.anonymous,
            identity=event.identity.model_dump(exclude_none=True) if event.identity else None,
            received_at=event.received_at,
            acknowledged_at=event.acknowledged_at,
        )
        report.note_concerns(event.concerns)
        report.note_language(event.language)
        processing_event.collect_events(report)

    @policy.register
    def _(self, event: ReporterReplied, processing_event: ProcessingEvent[UUID]) -> None:
        report = self.find(UUID(event.melding_id), processing_event)
        if report is None:
            log.warning("reply for an unknown melding passed over")
            return
        if report.record_reply(body=event.body, at=event.at):
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: IdentityConsentRecorded,
          processing_event: ProcessingEvent[UUID]) -> None:
        report = self.find(UUID(event.melding_id), processing_event)
        if report is None:
            log.warning("identity consent for an unknown melding passed over")
            return
        if report.note_identity_consent(given=event.given, at=event.at):
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: RecordStatusChanged, processing_event: ProcessingEvent[UUID]) -> None:
        report = self.find(UUID(event.melding_id), processing_event)
        if report is not None and report.note_record_status(event.status):
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: MeetingRequestChanged, processing_event: ProcessingEvent[UUID]) -> None:
        report = self.find(UUID(event.melding_id), processing_event)
        if report is not None and report.note_meeting_request(event.due_by):
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: CaseClosed, processing_event: ProcessingEvent[UUID]) -> None:
        report = self.find(UUID(event.melding_id), processing_event)
        if report is None or report.status == "closed":
            return  # unknown, or a copy of a closing already applied
        try:
            report.close(reason="case_closed",
                         start=case_closing(event.measure_kinds, report.language),
                         advice=event.feedback or None, by="investigation",
                         at=self.clock.now(),
                         outcome=retention_outcome("case_closed", event.path,
                                                   event.measure_kinds))
        except InvalidTransition as refused:
            log.warning("case closing passed over", extra={"state": refused.state})
            return
        processing_event.collect_events(report)

    @policy.register
    def _(self, event: AttachmentReceived, processing_event: ProcessingEvent[UUID]) -> None:
        received(self, event, processing_event)

    @policy.register
    def _(self, event: StaffEvent, processing_event: ProcessingEvent[UUID]) -> None:
        record_staff_event(self.find, event, processing_event)

    # -- what leaves the service ----------------------------------------------------------

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        return integration_event(self, domain_event)
