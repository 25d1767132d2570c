"""The investigation application.

Cases: a conversation or an investigation under the protocol, then measures.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from shared.application import ServiceApplication


class InvestigationApplication(ServiceApplication):
    name = "investigation"

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Integration events that investigation does not react to."""
