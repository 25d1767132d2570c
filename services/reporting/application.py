"""The reporting application. The annual accounting and the audit of the event log."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from shared.application import ServiceApplication


class ReportingApplication(ServiceApplication):
    name = "reporting"

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Integration events that reporting does not react to."""
