"""Integration events intake publishes: a melding received, and the mailbox's news."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from shared.contracts.base import IntegrationEvent, NamedIdentity
from shared.contracts.vocabulary import (
    Adviser,
    Channel,
    Concerns,
    Kind,
    Language,
    ReceivedHow,
    RecordStatus,
    Theme,
)


class MeldingReceived(IntegrationEvent):
    """intake -> triage, reporting: a melding was filed and acknowledged."""

    type: ClassVar[str] = "melding_received"
    keyed_fields: ClassVar[tuple[str, ...]] = ("description", "involved", "identity")

    melding_id: str
    kind: Kind
    theme: Theme
    channel: Channel
    occurred: date | None
    anonymous: bool
    description: str = ""
    involved: list[str] = []
    # Only for a named reporter; an anonymous reporter's identity stays sealed in intake.
    identity: NamedIdentity | None = None
    #: When the melding reached the organisation (for a registration on a reporter's
    #: behalf: when the staff member received it): the terms run from here.
    received_at: datetime
    acknowledged_at: datetime
    # Defaulted: events published before it was carried were all written meldingen.
    received_how: ReceivedHow = "written"
    #: As the reporter gave it; the meldpunt confirms or corrects it at assessment.
    concerns: Concerns = "unknown"
    #: The reporter's language, in which triage offers its feedback templates.
    language: Language = "nl"

    def key_recipients(self) -> tuple[str, ...]:
        return ("triage",)  # the meldpunt; investigation gets it from triage, with a case


class ReporterReplied(IntegrationEvent):
    """intake -> triage: the reporter wrote in the mailbox."""

    type: ClassVar[str] = "reporter_replied"
    keyed_fields: ClassVar[tuple[str, ...]] = ("body",)

    melding_id: str
    at: datetime
    body: str = ""


class IdentityConsentRecorded(IntegrationEvent):
    """intake -> triage: a named reporter said, in the mailbox, whether their identity
    may be passed on beyond the meldpunt (for example to investigators)."""

    type: ClassVar[str] = "identity_consent_recorded"

    melding_id: str
    given: bool
    at: datetime


class RecordStatusChanged(IntegrationEvent):
    """intake -> triage: the record of an oral or in-person melding has a new version
    for the reporter, or the reporter's answer to it (its status only, never its text)."""

    type: ClassVar[str] = "record_status_changed"

    melding_id: str
    status: RecordStatus
    at: datetime


class MeetingRequestChanged(IntegrationEvent):
    """intake -> triage: the reporter asked to meet (`due_by`: the request's term), or
    a meeting took place and answered it (`due_by` null)."""

    type: ClassVar[str] = "meeting_request_changed"

    melding_id: str
    due_by: datetime | None
    at: datetime


class ContactMomentRecorded(IntegrationEvent):
    """intake -> reporting: a conversation with a confidential adviser (counts only)."""

    type: ClassVar[str] = "contact_moment_recorded"

    adviser: Adviser
    theme: Theme
    date: date
