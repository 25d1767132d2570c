"""What intake is asked to file (a `Submission`, from the form, the API or a staff
member's registration) and what it answers once a melding is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.intake.domain.report import Report
from shared.contracts import Language, ReceivedHow


@dataclass(frozen=True)
class Submission:
    kind: str
    theme: str
    description: str
    anonymous: bool
    #: The channel the request names, if any; the one filed follows from `registered_as`.
    channel: str | None = None
    involved: tuple[str, ...] = ()
    occurred: date | None = None
    identity: dict[str, Any] | None = None
    identity_sealed: str | None = None
    key_id: str | None = None
    #: On a reporter's behalf: the registering staff member (`sub`, role), when and how
    #: they received it.
    received_by: str | None = None
    registered_as: str | None = None
    received_at: datetime | None = None
    received_how: ReceivedHow = "written"
    received_reason: str | None = None
    #: The reporter asks to meet in person (a box on the form).
    meeting_requested: bool = False
    #: The reporter's language: intake writes to them in it.
    language: Language = "nl"
    concerns: str = "unknown"


@dataclass(frozen=True)
class Filed:
    id: UUID
    receipt: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class Draft:
    """A melding ready to be stored: what to save, and what to answer once it is."""

    filed: Filed
    aggregates: tuple[Report]


