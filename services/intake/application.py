"""The intake application: files meldingen, issues receipts, keeps the mailbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.intake.adapters.receipts import ReceiptKeys
from services.intake.adapters.sealing import IdentitySealer
from services.intake.domain.report import Receipt, Report
from shared.application import ServiceApplication
from shared.clock import Clock, SystemClock
from shared.contracts import IntegrationEvent, MeldingReceived, NamedIdentity
from shared.errors import InvalidInput

ACKNOWLEDGEMENT = (
    "Wij hebben uw melding ontvangen. Binnen drie maanden na deze bevestiging "
    "hoort u wat er met uw melding gebeurt. / We have received your report. Within "
    "three months of this acknowledgement you will hear what is being done with it."
)


@dataclass(frozen=True)
class Submission:
    kind: str
    theme: str
    description: str
    anonymous: bool
    channel: str = "web"
    involved: tuple[str, ...] = ()
    occurred: date | None = None
    identity: dict[str, Any] | None = None
    identity_sealed: str | None = None
    key_id: str | None = None


@dataclass(frozen=True)
class Filed:
    id: UUID
    receipt: str
    acknowledged_at: datetime


class IntakeApplication(ServiceApplication):
    name = "intake"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        receipts: ReceiptKeys,
        sealer: IdentitySealer,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(env)
        self.receipts = receipts
        self.sealer = sealer
        self.clock = clock or SystemClock()

    def file_report(self, submission: Submission) -> Filed:
        """Seal, store and acknowledge a melding; the receipt code is returned only here."""
        identity, sealed = self._identity(submission)
        now = self.clock.now()
        report = Report(
            kind=submission.kind,
            theme=submission.theme,
            description=submission.description,
            involved=list(submission.involved),
            occurred=submission.occurred,
            channel=submission.channel,
            anonymous=submission.anonymous,
            identity=identity,
            sealed_identity=sealed,
            received_at=now,
        )
        report.acknowledge(at=now, body=ACKNOWLEDGEMENT)
        code = self.receipts.new_code()
        digest = self.receipts.digest(code)
        receipt = Receipt(digest=digest, report_id=report.id)
        self.save(report, receipt)
        return Filed(id=report.id, receipt=code, acknowledged_at=now)

    def _identity(
        self, submission: Submission
    ) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
        """A named reporter's identity stays readable; an anonymous one's is sealed."""
        if submission.identity_sealed is not None:
            if not submission.anonymous:
                raise InvalidInput("A sealed identity is for anonymous meldingen.",
                                   field="identity_sealed")
            if submission.key_id is None or not self.sealer.knows(submission.key_id):
                raise InvalidInput("The identity was sealed to an unknown key.", field="key_id")
            if not self.sealer.well_formed(submission.identity_sealed):
                raise InvalidInput("The sealed identity is not a sealed box.",
                                   field="identity_sealed")
            return None, {"key_id": submission.key_id, "sealed": submission.identity_sealed}
        if submission.identity is None:
            return None, None
        if submission.anonymous:
            return None, self.sealer.seal(submission.identity)
        return submission.identity, None

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        if isinstance(domain_event, Report.Filed):
            filed = domain_event
            return MeldingReceived(
                melding_id=str(filed.originator_id),
                kind=filed.kind,
                theme=filed.theme,
                channel=filed.channel,
                description=filed.description,
                involved=filed.involved,
                occurred=filed.occurred,
                anonymous=filed.anonymous,
                identity=NamedIdentity(**filed.identity) if filed.identity else None,
                received_at=filed.received_at,
                # Intake acknowledges in the same transaction as it files.
                acknowledged_at=filed.received_at,
            )
        return None
