"""Integration events: the versioned contracts between services, on NATS JetStream.

They are distinct from each service's internal domain events, carry only what a
consumer needs, and never an anonymous reporter's identity (sealed or not).
On the wire each is wrapped in an envelope (`shared/messaging/envelope.py`) naming its
source and position:

    {"type": ..., "schema_version": ..., "source": "intake", "position": 17,
     "data": {...}}

published on subject `meldingen.<source>.<type>` with message id `<source>:<position>`.
"""

from __future__ import annotations

from shared.contracts.audit import CheckpointSigned
from shared.contracts.base import IntegrationEvent, NamedIdentity
from shared.contracts.files import (
    AttachmentReceived,
    AttachmentSent,
    AttachmentShared,
    SharedFile,
)
from shared.contracts.intake import (
    ContactMomentRecorded,
    IdentityConsentRecorded,
    MeetingRequestChanged,
    MeldingReceived,
    RecordStatusChanged,
    ReporterReplied,
)
from shared.contracts.investigation import (
    CaseClosed,
    FinalReportIssued,
    InterimMeasureTaken,
    ResponseTermLapsed,
)
from shared.contracts.staff import StaffMemberAdded, StaffMemberDisabled, StaffRolesChanged
from shared.contracts.triage import (
    CompetentAuthorityAssigned,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingRecused,
    MeldingReopened,
    MeldingShredded,
    PoliceReportRecorded,
    ReporterMessaged,
    ReprisalComplaintRecorded,
)
from shared.contracts.vocabulary import (
    CASE_OUTCOMES,
    RETENTION_OUTCOMES,
    Adviser,
    CasePath,
    Channel,
    ClosingReason,
    Concerns,
    Conclusion,
    FeedbackOccasion,
    InterimMeasureKind,
    Kind,
    Language,
    MeasureKind,
    MeasureTarget,
    MeldingStatus,
    MessagePurpose,
    Outcome,
    ProtectedRole,
    QueueSort,
    ReceivedHow,
    RecordStatus,
    ReferralTarget,
    ReprisalOutcome,
    RetentionOutcome,
    Severity,
    Theme,
    opens_case,
)

CONTRACTS: dict[str, type[IntegrationEvent]] = {
    cls.type: cls
    for cls in (
        MeldingReceived, ReporterReplied, AttachmentReceived, AttachmentSent, AttachmentShared,
        IdentityConsentRecorded,
        ContactMomentRecorded,
        RecordStatusChanged, MeetingRequestChanged,
        MeldingAssessed, MeldingDecided, CompetentAuthorityAssigned, MeldingRecused,
        ReporterMessaged, MeldingClosed, FinalReportIssued, CaseClosed, PoliceReportRecorded,
        MeldingReopened, MeldingShredded, ResponseTermLapsed, ReprisalComplaintRecorded,
        InterimMeasureTaken,
        StaffMemberAdded, StaffRolesChanged, StaffMemberDisabled,
        CheckpointSigned,
    )
}

__all__ = [
    "CASE_OUTCOMES",
    "CONTRACTS",
    "RETENTION_OUTCOMES",
    "Adviser",
    "AttachmentReceived",
    "AttachmentSent",
    "AttachmentShared",
    "CaseClosed",
    "CasePath",
    "Channel",
    "CheckpointSigned",
    "ClosingReason",
    "CompetentAuthorityAssigned",
    "Concerns",
    "Conclusion",
    "ContactMomentRecorded",
    "FeedbackOccasion",
    "FinalReportIssued",
    "IdentityConsentRecorded",
    "IntegrationEvent",
    "InterimMeasureKind",
    "InterimMeasureTaken",
    "Kind",
    "Language",
    "MeasureKind",
    "MeasureTarget",
    "MeetingRequestChanged",
    "MeldingAssessed",
    "MeldingClosed",
    "MeldingDecided",
    "MeldingReceived",
    "MeldingRecused",
    "MeldingReopened",
    "MeldingShredded",
    "MeldingStatus",
    "MessagePurpose",
    "NamedIdentity",
    "Outcome",
    "PoliceReportRecorded",
    "ProtectedRole",
    "QueueSort",
    "ReceivedHow",
    "RecordStatus",
    "RecordStatusChanged",
    "ReferralTarget",
    "ReporterMessaged",
    "ReporterReplied",
    "ReprisalComplaintRecorded",
    "ReprisalOutcome",
    "ResponseTermLapsed",
    "RetentionOutcome",
    "Severity",
    "SharedFile",
    "StaffMemberAdded",
    "StaffMemberDisabled",
    "StaffRolesChanged",
    "Theme",
    "opens_case",
]
