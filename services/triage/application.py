"""The triage application: the meldpunt's queue and the procedure's first steps."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.triage.domain.report import Report
from shared.application import ServiceApplication
from shared.contracts import MeldingReceived
from shared.errors import NotFound


class TriageApplication(ServiceApplication):
    name = "triage"

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Integration events that triage does not react to."""

    @policy.register
    def _(self, event: MeldingReceived, processing_event: ProcessingEvent[UUID]) -> None:
        melding_id = UUID(event.melding_id)
        if self._exists(melding_id):
            return  # a copy that outlived the de-duplication window
        report = Report(
            melding_id=melding_id,
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

    def _exists(self, melding_id: UUID) -> bool:
        try:
            self.repository.get(melding_id)
        except AggregateNotFoundError:
            return False
        return True

    def get_report(self, melding_id: UUID) -> Report:
        try:
            return self.repository.get(melding_id)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            raise NotFound(f"No melding with id {melding_id}.") from None
