"""The melding as intake knows it: what was reported, the sealed or named identity,
and the mailbox between reporter and meldpunt (the receipt is in the receipt book)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.intake.domain.reception import CHANNELS_OF_ROLE, Reception, reception_refusals
from shared.contracts import RecordStatus
from shared.errors import InvalidInput, InvalidTransition, NotFound
from shared.terms import local_date

RECEIPT_NAMESPACE = UUID("6f1c8c6e-5b7e-4d0e-9f3e-6c1f2b7a9d41")
#: What the reporter's mailbox shows of the melding's handling.
Status = Literal["received", "acknowledged", "feedback_given", "closed"]
#: Where a reporter asked to meet.
MeetingVia = Literal["form", "mailbox"]
#: The acknowledgement, in the language the reporter filed in (and only that one).
ACKNOWLEDGEMENT: dict[str, str] = {
    "nl": "Wij hebben uw melding ontvangen. Binnen drie maanden na deze bevestiging "
          "hoort u wat er met uw melding gebeurt.",
    "en": "We have received your report. Within three months of this acknowledgement "
          "you will hear what is being done with it.",
}


def refusals(*, anonymous: bool, identity: Mapping[str, Any] | None, occurred: date | None,
             today: date) -> list[InvalidInput]:
    """Everything that keeps a melding from being filed, whichever way it comes in (the
    API raises the first, the web form shows them all beside their fields)."""
    found = []
    if not anonymous and not (identity or {}).get("name"):
        found.append(InvalidInput("A named melding needs the reporter's name.",
                                  field="identity.name"))
    if occurred is not None and occurred > today:
        found.append(InvalidInput("The day it happened cannot lie in the future.",
                                  field="occurred"))
    return found


class Report(Aggregate):
    """A melding (glossary: melding -> Report) filed at intake."""

    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        Filed: ClassVar[type[Any]]
        ReporterWrote: ClassVar[type[Any]]
        MeetingRequested: ClassVar[type[Any]]
        IdentityConsentRecorded: ClassVar[type[Any]]
        MeetingRecorded: ClassVar[type[Any]]
        RecordWritten: ClassVar[type[Any]]
        RecordApproved: ClassVar[type[Any]]
        RecordCorrected: ClassVar[type[Any]]
        Closed: ClassVar[type[Any]]
        SealedIdentityRead: ClassVar[type[Any]]
        MeldpuntWrote: ClassVar[type[Any]]
        AdviserWrote: ClassVar[type[Any]]
        AdviserRead: ClassVar[type[Any]]

    @classmethod
    def file(cls, *, kind: str, theme: str, description: str, involved: list[str],
             occurred: date | None, channel: str, anonymous: bool,
             identity: dict[str, Any] | None, sealed_identity: dict[str, str] | None,
             registered_at: datetime, reception: Reception | None = None,
             language: str = "nl", concerns: str = "unknown") -> Report:
        """A new melding, if `refusals` finds nothing. The rules are checked here and
        not when the event is applied, so a stored melding always loads again. A
        `reception` is a staff member's, for a melding registered on a reporter's behalf;
        without one the melding was received when it was filed."""
        found = refusals(anonymous=anonymous, identity=identity, occurred=occurred,
                         today=local_date(registered_at))
        if reception is not None:
            if channel == "web":
                found.append(InvalidInput("Only staff registering a melding on a reporter's "
                                          "behalf say when it was received.",
                                          field="received_at"))
            found += reception_refusals(reception, registered_at=registered_at,
                                        occurred=occurred)
        if found:
            raise found[0]
        return cls(kind=kind, theme=theme, description=description, involved=involved,
                   occurred=occurred, channel=channel, anonymous=anonymous,
                   identity=identity, sealed_identity=sealed_identity,
                   received_at=reception.at if reception else registered_at,
                   received_how=reception.how if reception else "written",
                   received_by=reception.by if reception else None,
                   received_reason=reception.reason if reception else None,
                   registered_at=registered_at, language=language,
                   concerns=concerns)

    @event("Filed")
    def __init__(
        self,
        *,
        kind: str,
        theme: str,
        description: str,
        involved: list[str],
        occurred: date | None,
        channel: str,
        anonymous: bool,
        identity: dict[str, Any] | None,
        sealed_identity: dict[str, str] | None,
        received_at: datetime,
        # Defaulted: meldingen filed before these were recorded came in writing and
        # were registered when received.
        received_how: str = "written",
        received_by: str | None = None,
        received_reason: str | None = None,
        registered_at: datetime | None = None,
        language: str = "nl",
        concerns: str = "unknown",
    ) -> None:
        if anonymous and identity is not None:
            raise InvalidInput("An anonymous melding carries no identity in the clear.",
                               field="identity")
        self.kind = kind
        self.theme = theme
        self.description = description
        self.involved = involved
        self.occurred = occurred
        self.channel = channel
        self.anonymous = anonymous
        self.identity = identity
        self.sealed_identity = sealed_identity
        self.received_at = received_at
        self.received_how = received_how
        self.received_by = received_by
        self.received_reason = received_reason
        self.registered_at = registered_at or received_at
        self.language = language
        self.concerns = concerns
        self.acknowledged_at: datetime | None = None
        self.status: Status = "received"
        self.closed_at: datetime | None = None
        self.messages: list[dict[str, Any]] = []
        self.identity_reads: list[dict[str, Any]] = []
        self.record_versions: list[dict[str, Any]] = []
        self.record_responses: list[dict[str, Any]] = []
        self.record_status: RecordStatus | None = None
        self.meeting_request: dict[str, Any] | None = None
        self.meetings: list[dict[str, Any]] = []
        #: The named reporter's answers to "may your identity be passed on?", in order.
        self.identity_consents: list[dict[str, Any]] = []

    @event("Acknowledged")
    def acknowledge(self, at: datetime, body: str) -> None:
        self.acknowledged_at = at
        self.status = "acknowledged"
        self.messages.append(
            {"from": "meldpunt", "body": body, "at": at, "purpose": "acknowledgement"})

    def check_has_sealed_identity(self) -> None:
        if self.sealed_identity is None:
            raise NotFound("This melding has no sealed identity.")

    @event("SealedIdentityRead")
    def record_identity_read(self, by: str, at: datetime) -> None:
        """The confidential adviser fetched the sealed identity: every access is on record."""
        self.check_has_sealed_identity()
        self.identity_reads.append({"by": by, "at": at})

    @event("MeldpuntWrote")
    def receive_message(self, body: str, purpose: str, at: datetime) -> None:
        """A message or the feedback from the meldpunt, for the reporter's mailbox."""
        self.messages.append({"from": "meldpunt", "body": body, "at": at, "purpose": purpose})
        if purpose == "feedback" and self.status != "closed":
            self.status = "feedback_given"

    def check_registered_by_adviser(self, adviser: str) -> None:
        """Only the confidential adviser who registered the melding writes to its reporter
        (to anyone else the melding is not there)."""
        if self.received_by != adviser or self.channel not in CHANNELS_OF_ROLE[
                "confidential_adviser"]:
            raise NotFound("No melding with this id that you registered.")

    @event("AdviserWrote")
    def receive_adviser_message(self, body: str, by: str, at: datetime) -> None:
        """The confidential adviser who registered the melding writes to the reporter."""
        self.check_registered_by_adviser(by)
        self.check_open()
        self.messages.append({"from": "confidential_adviser", "body": body, "at": at,
                              "purpose": "message"})

    @event("AdviserRead")
    def record_adviser_read(self, by: str, at: datetime) -> None:
        """The adviser who registered the melding opened its conversation: the reporter's
        replies until `at` are read."""
        self.check_registered_by_adviser(by)
        self.adviser_read_at = at

    def adviser_has_unread(self) -> bool:
        read = getattr(self, "adviser_read_at", None)
        return any(m["from"] == "reporter" and (read is None or m["at"] > read)
                   for m in self.messages)

    def check_open(self) -> None:
        if self.status == "closed":
            raise InvalidTransition("The handling of this melding has ended.", state=self.status)

    @event("ReporterWrote")
    def reply(self, body: str, at: datetime) -> None:
        """The reporter answers or adds information through the mailbox."""
        self.check_open()
        self.messages.append({"from": "reporter", "body": body, "at": at, "purpose": "reply"})

    def check_needs_record(self) -> None:
        if self.received_how == "written" and not self.meetings:
            raise InvalidTransition("A written melding has no record: its text is the "
                                    "reporter's own.", state=self.received_how)

    @event("RecordWritten")
    def write_record(self, text: str, by: str, at: datetime) -> None:
        """A version of the record of an oral or in-person melding (or of a meeting),
        offered to the reporter to approve or correct; every version is kept."""
        self.check_open()
        self.check_needs_record()
        self.record_versions.append(
            {"version": len(self.record_versions) + 1, "text": text, "by": by, "at": at})
        self.record_status = "awaiting_reporter"

    def check_record_version(self, version: int) -> None:
        if self.record_status is None:
            raise NotFound("This melding has no record to respond to.")
        if version != len(self.record_versions):
            raise InvalidTransition(f"Version {version} is not the record's latest.",
                                    state=self.record_status)
        if self.record_status != "awaiting_reporter":
            raise InvalidTransition("This version was answered already.",
                                    state=self.record_status)

    @event("RecordApproved")
    def approve_record(self, version: int, at: datetime) -> None:
        self.check_record_version(version)
        self.record_responses.append({"version": version, "approved": True, "at": at})
        self.record_status = "approved"

    @event("RecordCorrected")
    def correct_record(self, version: int, corrections: str, at: datetime) -> None:
        """The reporter's corrections, for the staff member to work into a new version."""
        self.check_record_version(version)
        self.record_responses.append(
            {"version": version, "approved": False, "corrections": corrections, "at": at})
        self.record_status = "corrections_sent"

    @property
    def identity_consent(self) -> bool | None:
        """Whether the reporter lets their identity go beyond the meldpunt; None: not
        answered, which counts as no."""
        return self.identity_consents[-1]["given"] if self.identity_consents else None

    @event("IdentityConsentRecorded")
    def record_identity_consent(self, given: bool, at: datetime) -> None:
        """A named reporter gives or withdraws consent to pass their identity on."""
        if self.anonymous:
            raise InvalidTransition("An anonymous reporter's identity is sealed; there is "
                                    "nothing to pass on.", state="anonymous")
        self.check_open()
        self.identity_consents.append({"given": given, "at": at})

    @event("MeetingRequested")
    def request_meeting(self, via: MeetingVia, at: datetime, due_by: datetime) -> None:
        """The reporter asks to meet in person; the request waits for a meeting."""
        self.check_open()
        if self.meeting_request is not None:
            raise InvalidTransition("A meeting was asked for already.", state="requested")
        self.meeting_request = {"via": via, "at": at, "due_by": due_by}

    @event("MeetingRecorded")
    def record_meeting(self, held_at: datetime, by: str, at: datetime) -> None:
        """A meeting with the reporter took place; it answers an open request."""
        if held_at > at:
            raise InvalidInput("A meeting cannot be recorded before it took place.",
                               field="held_at")
        self.meetings.append({"held_at": held_at, "by": by, "at": at,
                              "requested": self.meeting_request})
        self.meeting_request = None

    @event("Closed")
    def close(self, reason: str, at: datetime) -> None:
        self.status = "closed"
        self.closed_at = at
        self.closed_reason = reason

    @event("Reopened")
    def reopen(self, at: datetime) -> None:
        """Triage reopened it: the mailbox takes replies again until the next closing."""
        self.status = "acknowledged"
        self.closed_at = None


#: The fields that carry a melding's content or personal data, per event: the store
#: keeps them under the melding's own key (docs/privacy.md). The acknowledgement is
#: intake's own template, and stays readable.
CONTENT_FIELDS: dict[type[Any], tuple[str, ...]] = {
    Report.Filed: ("description", "involved", "identity", "sealed_identity",
                   "received_reason"),
    Report.MeldpuntWrote: ("body",),
    Report.AdviserWrote: ("body",),
    Report.ReporterWrote: ("body",),
    Report.RecordWritten: ("text",),
    Report.RecordCorrected: ("corrections",),
}


class Receipt(Aggregate):
    """Finds a melding by its receipt: the id is derived from the receipt's keyed hash,
    so the code itself is never stored and a lookup is one read by id."""

    @staticmethod
    def create_id(digest: str) -> UUID:
        return uuid5(RECEIPT_NAMESPACE, digest)

    @event("Issued")
    def __init__(self, *, digest: str, report_id: UUID) -> None:
        self.digest = digest
        self.report_id = report_id
