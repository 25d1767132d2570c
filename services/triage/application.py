"""The triage application: the meldpunt's queue and the procedure's first steps.

Commands come from the API (assessment, decision, messages); policies react to other
services' events (a new melding, a reporter's reply, a closed case). Policies never
raise for a step the melding's state refuses: the inbox would retry it forever, so
such an event is logged and passed over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.triage.domain.feedback import CLOSING_FEEDBACK
from services.triage.domain.report import Report, closing_reason
from shared.application import ServiceApplication
from shared.clock import Clock, SystemClock
from shared.contracts import (
    CaseClosed,
    IntegrationEvent,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingReceived,
    ReporterMessaged,
    ReporterReplied,
)
from shared.directory import Directory, StaffEvent, record_staff_event
from shared.errors import InvalidTransition, NotFound

log = logging.getLogger("meldingen.triage")


@dataclass(frozen=True)
class Assessment:
    admissible: bool
    reasonable_grounds: bool
    code_violation: bool
    severity: str
    theme: str
    advice: str
    motivation: str
    #: What an inadmissible melding's reporter is told; a general text by default.
    feedback: str | None = None


@dataclass(frozen=True)
class Decision:
    outcome: tuple[str, ...]
    motivation: str
    police_report_on: date | None = None
    #: What the reporter is told when the decision closes the melding.
    feedback: str | None = None


class TriageApplication(ServiceApplication):
    name = "triage"

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        #: The local view of the console's staff directory (fed by the bootstrap).
        self.directory = Directory()

    # -- commands -------------------------------------------------------------------------

    def assess(self, melding_id: UUID, assessment: Assessment, *, by: str) -> Report:
        return self._update(melding_id, lambda report: report.assess(
            admissible=assessment.admissible, reasonable_grounds=assessment.reasonable_grounds,
            code_violation=assessment.code_violation, severity=assessment.severity,
            theme=assessment.theme, advice=assessment.advice, motivation=assessment.motivation,
            feedback=assessment.feedback or CLOSING_FEEDBACK["inadmissible"],
            by=by, at=self.clock.now(),
        ))

    def decide(self, melding_id: UUID, decision: Decision, *, by: str) -> Report:
        reason = closing_reason(list(decision.outcome))
        default = CLOSING_FEEDBACK.get(reason or "", "")
        return self._update(melding_id, lambda report: report.decide(
            outcome=list(decision.outcome), motivation=decision.motivation,
            police_report_on=decision.police_report_on, feedback=decision.feedback or default,
            by=by, at=self.clock.now(),
        ))

    def message_reporter(self, melding_id: UUID, body: str, *, purpose: str, by: str) -> Report:
        return self._update(melding_id, lambda report: report.message_reporter(
            body=body, purpose=purpose, by=by, at=self.clock.now()))

    def _update(self, melding_id: UUID, change: Callable[[Report], object]) -> Report:
        return self.update(lambda: self.get_report(melding_id), change,
                           conflict="The melding was changed at the same time; try again.")

    def get_report(self, melding_id: UUID) -> Report:
        try:
            return self.repository.get(melding_id)
        except AggregateNotFoundError:
            raise NotFound(f"No melding with id {melding_id}.") from None

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
    def _(self, event: CaseClosed, processing_event: ProcessingEvent[UUID]) -> None:
        report = self.find(UUID(event.melding_id), processing_event)
        if report is None or report.status == "closed":
            return  # unknown, or a copy of a closing already applied
        try:
            report.close(reason="case_closed", feedback=event.feedback, by="investigation",
                         at=self.clock.now())
        except InvalidTransition as refused:
            log.warning("case closing passed over", extra={"state": refused.state})
            return
        processing_event.collect_events(report)

    @policy.register
    def _(self, event: StaffEvent, processing_event: ProcessingEvent[UUID]) -> None:
        record_staff_event(self.find, event, processing_event)

    # -- what leaves the service ----------------------------------------------------------

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        melding_id = str(domain_event.originator_id)
        if isinstance(domain_event, Report.Assessed):
            e = domain_event
            return MeldingAssessed(
                melding_id=melding_id, admissible=e.admissible,
                reasonable_grounds=e.reasonable_grounds, code_violation=e.code_violation,
                severity=e.severity, theme=e.theme, advice=e.advice, assessed_by=e.by, at=e.at,
            )
        if isinstance(domain_event, Report.Decided):
            return self._decided(domain_event)
        if isinstance(domain_event, Report.MessageSent):
            return ReporterMessaged(melding_id=melding_id, body=domain_event.body,
                                    purpose=domain_event.purpose, at=domain_event.at)
        if isinstance(domain_event, Report.Closed):
            return MeldingClosed(melding_id=melding_id, reason=domain_event.reason,
                                 at=domain_event.at)
        return None

    @staticmethod
    def _decided(decided: Any) -> MeldingDecided:
        return MeldingDecided(
            melding_id=str(decided.originator_id), outcome=decided.outcome,
            theme=decided.theme, involved=decided.involved, assessed_by=decided.assessed_by,
            decided_by=decided.by, police_report_on=decided.police_report_on, at=decided.at,
        )
