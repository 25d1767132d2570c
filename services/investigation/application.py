"""The investigation application.

Cases: a conversation or an investigation under the protocol, then measures. A case
opens from triage's decision (received over NATS); its closing travels back to
triage, which closes the melding and sends the final feedback to the reporter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import singledispatchmethod
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import IntegrityError

from services.investigation.domain.case import DEFAULT_RESPONSE_TERM, Case
from services.investigation.domain.conflicts import Investigator
from services.investigation.domain.interim import InterimMeasures
from services.investigation.domain.shredding import Shreddable
from services.investigation.files import attachments
from shared import authz, contracts
from shared.auth import Principal
from shared.authz import MeldingParties, is_allowed_role
from shared.clock import Clock, SystemClock
from shared.directory import Directory, StaffEvent, record_staff_event
from shared.errors import DamagedRecord, Forbidden, InvalidInput, NotFound, Shredded
from shared.keyedfields import KeyedApplication

log = logging.getLogger("meldingen.investigation")
T = TypeVar("T")


def parties(case: Case) -> MeldingParties:
    return MeldingParties(case.competent_authority, case.excluded, case.investigators)


def may_see(case: Case, principal: Principal) -> bool:
    """The per-melding rule (`shared.authz.may_see`) for this case."""
    return authz.may_see(principal.role, principal.sub, parties(case))


class InvestigationApplication(KeyedApplication):
    name = "investigation"

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None,
                 response_term: timedelta = DEFAULT_RESPONSE_TERM) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        #: The person concerned's term to respond to a draft (MELDINGEN_RESPONSE_TERM_DAYS).
        self.response_term = response_term
        #: The local view of the console's staff directory (fed by the bootstrap).
        self.directory = Directory()

    # -- reading ----------------------------------------------------------------------------

    def get_case(self, case_id: UUID, principal: Principal) -> Case:
        try:
            case: Case = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise NotFound(f"No case with id {case_id}.") from None
        if not may_see(case, principal):
            # As for a case that does not exist: whether it does is not theirs to know.
            raise NotFound(f"No case with id {case_id}.")
        case.check_unshredded()
        return case

    # -- commands ---------------------------------------------------------------------------

    def record_conversation(self, case_id: UUID, minutes: str, principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.record_conversation(minutes=minutes, by=by, at=at))

    def assign_investigators(self, case_id: UUID, subs: list[str],
                             principal: Principal) -> Case:
        """The first team: staff members with the investigator role (422 naming one
        the directory lacks)."""
        def assign(case: Case, by: str, at: Any) -> None:
            case.check_step("assign_investigators")
            investigators = [self._investigator(sub) for sub in subs]
            case.assign_investigators(investigators=investigators, by=by, at=at)

        return self._as_authority(case_id, principal, assign)

    def add_investigator(self, case_id: UUID, sub: str, principal: Principal) -> Case:
        def add(case: Case, by: str, at: Any) -> None:
            case.check_step("change_investigators")
            case.add_investigator(investigator=self._investigator(sub), by=by, at=at)

        return self._as_authority(case_id, principal, add)

    def remove_investigator(self, case_id: UUID, sub: str, principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.remove_investigator(sub=sub, by=by, at=at))

    def _investigator(self, sub: str) -> Investigator:
        member = self.directory.find(sub)
        if member is None or not is_allowed_role(member.roles, "case.investigate"):
            raise InvalidInput(f"{sub!r} is not an investigator in the staff directory.",
                               field="investigators", investigator=sub)
        return Investigator(sub=member.sub, name=member.name)

    def record_plan(self, case_id: UUID, text: str, principal: Principal) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.record_plan(
            text=text, by=by, at=at))[0]

    def record_interview(self, case_id: UUID, interviewee: str, minutes: str,
                         principal: Principal) -> tuple[Case, str]:
        return self._change(case_id, principal, lambda case, by, at: case.record_interview(
            interviewee=interviewee, minutes=minutes, by=by, at=at))

    def comment_on_interview(self, case_id: UUID, interview_id: str, text: str,
                             principal: Principal) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.comment_on_interview(
            interview_id=interview_id, text=text, by=by, at=at))[0]

    def add_evidence(self, case_id: UUID, description: str, sha256: str,
                     principal: Principal, file_id: str | None = None) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.add_evidence(
            description=description, sha256=sha256, by=by, at=at, file_id=file_id))[0]

    def issue_draft_report(self, case_id: UUID, text: str, principal: Principal) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.issue_draft_report(
            text=text, by=by, at=at, term=self.response_term))[0]

    def record_response(self, case_id: UUID, text: str, principal: Principal) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.record_response(
            text=text, by=by, at=at))[0]

    def record_response_lapse(self, case_id: UUID, principal: Principal) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.record_response_lapse(
            by=by, at=at))[0]

    def issue_final_report(self, case_id: UUID, text: str, conclusion: str,
                           principal: Principal) -> Case:
        return self._change(case_id, principal, lambda case, by, at: case.issue_final_report(
            text=text, conclusion=conclusion, by=by, at=at))[0]

    def take_measures(self, case_id: UUID, measures: list[dict[str, Any]],
                      feedback: str | None, principal: Principal, *,
                      interim_ending: Sequence[str] = (), interim_kept: Sequence[str] = ()) -> Case:
        def take(case: Case, by: str, at: Any) -> None:
            case.take_measures(measures=measures, feedback=feedback or None, by=by, at=at,
                               interim_ending=list(interim_ending),
                               interim_kept=list(interim_kept))

        return self._as_authority(case_id, principal, take)

    # -- the competent authority: escalation, interim measures, the person concerned --

    def escalate(self, case_id: UUID, motivation: str, principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at: case.escalate(
            motivation=motivation, by=by, at=at))

    def take_interim_measure(self, case_id: UUID, kind: str, motivation: str,
                             principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.take_interim_measure(kind=kind, motivation=motivation,
                                                            by=by, at=at))

    def lift_interim_measure(self, case_id: UUID, measure_id: str, motivation: str,
                             principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.lift_interim_measure(measure_id=measure_id,
                                                            motivation=motivation, by=by, at=at))

    def inform_person_concerned(self, case_id: UUID, informed_on: date,
                                informed_by: str | None, principal: Principal) -> Case:
        """`informed_by`: who told them (the one recording it when not given)."""
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.inform_person_concerned(
                                      informed_on=informed_on, informed_by=informed_by or by,
                                      by=by, at=at))

    def postpone_informing(self, case_id: UUID, reason: str, until: date,
                           principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.postpone_informing(reason=reason, until=until, by=by,
                                                          at=at))

    def record_hearing(self, case_id: UUID, held_on: date, minutes: str,
                       principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.record_hearing(held_on=held_on, minutes=minutes, by=by,
                                                      at=at))

    def record_file_request(self, case_id: UUID, requested_on: date,
                            principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.record_file_request(requested_on=requested_on, by=by,
                                                           at=at))

    def answer_file_request(self, case_id: UUID, request_id: str, granted: bool, answer: str,
                            principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.answer_file_request(request_id=request_id,
                                                           granted=granted, answer=answer,
                                                           by=by, at=at))

    def tell_outcome(self, case_id: UUID, told_on: date, principal: Principal) -> Case:
        return self._as_authority(case_id, principal, lambda case, by, at:
                                  case.tell_outcome(told_on=told_on, by=by, at=at))

    # -- what the clock decides ----------------------------------------------------------

    def notice_lapses(self, candidates: list[UUID]) -> int:
        """Record, for each of these cases whose response term has passed without a
        response, that it did: once per draft, whatever the restarts or replicas (the
        case says whether it was noticed; of two noticing at once the store lets one
        win). Its integration event leaves through the outbox. How many it noticed."""
        noticed = 0
        now = self.clock.now()
        for case_id in candidates:
            try:
                case: Case = self.repository.get(case_id)
            except (AggregateNotFoundError, DamagedRecord, Shredded):
                continue  # nothing to notice on a case that cannot be read (logged)
            if case.notice_response_term_lapse(at=now):
                try:
                    self.save(case)
                except IntegrityError:
                    continue  # changed meanwhile (or noticed elsewhere): the next check
                noticed += 1
        return noticed

    def _as_authority(self, case_id: UUID, principal: Principal,
                      command: Callable[[Case, str, Any], object]) -> Case:
        """A command only the case's assigned competent authority gives."""
        def checked(case: Case, by: str, at: Any) -> object:
            if not authz.acts_as_competent_authority(principal.role, principal.sub,
                                                     parties(case)):
                raise Forbidden("Only the melding's assigned competent authority does this.")
            return command(case, by, at)

        return self._change(case_id, principal, checked)[0]

    def _change(self, case_id: UUID, principal: Principal,
                command: Callable[[Case, str, Any], T]) -> tuple[Case, T]:
        results: list[T] = []
        case = self.update(
            lambda: self.get_case(case_id, principal),
            lambda case: results.append(command(case, principal.sub, self.clock.now())),
            conflict="The case was changed at the same time; try again.",
        )
        return case, results[-1]

    # -- policies: other services' events -----------------------------------------------

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Integration events that investigation does not react to."""

    @policy.register
    def _(self, event: contracts.MeldingDecided,
          processing_event: ProcessingEvent[UUID]) -> None:
        if not contracts.opens_case(event.outcome):
            return  # no case: triage closes the melding itself
        melding_id = UUID(event.melding_id)
        if self.find(melding_id, processing_event) is not None:
            # A copy that outlived the de-duplication window, or a decision again after
            # a reopening: the case stays, and takes the files it lists that it lacks.
            attachments.receive(self, melding_id, event.attachments, processing_event)
            return
        case = Case(melding_id=melding_id, outcome=list(event.outcome), theme=event.theme,
                    involved=list(event.involved), assessed_by=event.assessed_by,
                    decided_by=event.decided_by, at=self.clock.now())
        case.note_melding(description=event.description,
                          competent_authority=event.competent_authority,
                          excluded=list(event.excluded))
        processing_event.collect_events(case)
        attachments.receive(self, melding_id, event.attachments, processing_event)

    @policy.register
    def _(self, event: contracts.AttachmentShared,
          processing_event: ProcessingEvent[UUID]) -> None:
        melding_id = UUID(event.melding_id)
        if self.find(melding_id, processing_event) is not None:  # else in the decision's list
            attachments.receive(self, melding_id, [event], processing_event)

    @policy.register
    def _(self, event: contracts.CompetentAuthorityAssigned,
          processing_event: ProcessingEvent[UUID]) -> None:
        case = self.find(UUID(event.melding_id), processing_event)
        if case is not None:  # before a decision there is no case: it opens with it
            case.assign_authority(sub=event.sub, at=event.at)
            processing_event.collect_events(case)

    @policy.register
    def _(self, event: contracts.MeldingRecused,
          processing_event: ProcessingEvent[UUID]) -> None:
        case = self.find(UUID(event.melding_id), processing_event)
        if case is not None:
            case.recuse(sub=event.sub, at=event.at)
            processing_event.collect_events(case)

    @policy.register
    def _(self, event: contracts.MeldingShredded,
          processing_event: ProcessingEvent[UUID]) -> None:
        """Its term has passed: the case records it, and investigation's key goes (a
        tombstone, also for a melding without a case), tracked in one commit. After a
        crash between the key and the commit the case no longer reads: its event
        follows unread; destroying again is harmless."""
        melding_id = UUID(event.melding_id)
        try:
            case = self.find(melding_id, processing_event)
        except Shredded:
            processing_event.collect_events(self.unread_event(
                melding_id, Shreddable.Shredded, term=event.term, at=event.shredded_at))
            case = None
        if case is not None:
            case.shred(term=event.term, at=event.shredded_at)
            processing_event.collect_events(case)
        if self.keyring is not None:
            self.keyring.destroy(event.melding_id, event.shredded_at, event.term)

    @policy.register
    def _(self, event: StaffEvent, processing_event: ProcessingEvent[UUID]) -> None:
        record_staff_event(self.find, event, processing_event)

    # -- what leaves the service ----------------------------------------------------------

    def integration_event(self, domain_event: Any) -> contracts.IntegrationEvent | None:
        melding_id = str(domain_event.originator_id)
        if isinstance(domain_event, Case.ResponseTermPassed):
            return contracts.ResponseTermLapsed(
                melding_id=melding_id, draft_version=domain_event.version or 1,
                term_ended=domain_event.ends, investigators=domain_event.investigators,
                competent_authority=domain_event.competent_authority, at=domain_event.at)
        if isinstance(domain_event, Case.FinalReportIssued):
            return contracts.FinalReportIssued(
                melding_id=melding_id, conclusion=domain_event.conclusion, at=domain_event.at)
        if isinstance(domain_event, InterimMeasures.InterimMeasureTaken):
            # The kind only: the motivation and whom it concerns stay here.
            return contracts.InterimMeasureTaken(melding_id=melding_id, kind=domain_event.kind,
                                                 at=domain_event.at)
        if isinstance(domain_event, Case.MeasuresTaken):
            measures = domain_event.measures
            return contracts.CaseClosed(
                melding_id=melding_id,
                # Only the measures' kinds and targets travel: who they concern stays here.
                path=domain_event.path,
                measure_kinds=[m["kind"] for m in measures],
                measure_targets=[m["target"] for m in measures],
                feedback=domain_event.feedback, at=domain_event.at,
            )
        return None
