"""The intake application: files meldingen, issues receipts, keeps the mailbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.utils import get_topic

from services.intake.adapters.receipt_book import ReceiptBook, retire_receipt
from services.intake.adapters.receipts import ReceiptKeys
from services.intake.adapters.sealing import IdentitySealer
from services.intake.domain.contact_moment import ContactMoment
from services.intake.domain.outgoing import record_or_meeting_event
from services.intake.domain.reception import Reception, adviser_for, registration_channel
from services.intake.domain.report import ACKNOWLEDGEMENT, Receipt, Report
from services.intake.domain.submission import Draft, Filed, Submission
from services.intake.files.domain.attachments import attachment_event, sent_to_mailbox
from shared import authz
from shared.auth import Principal
from shared.clock import Clock, SystemClock
from shared.contracts import (
    Adviser,
    AttachmentSent,
    ContactMomentRecorded,
    IdentityConsentRecorded,
    IntegrationEvent,
    MeldingClosed,
    MeldingReceived,
    MeldingReopened,
    MeldingShredded,
    NamedIdentity,
    ReporterMessaged,
    ReporterReplied,
)
from shared.errors import InvalidInput, NotFound
from shared.keyedfields import KeyedApplication
from shared.terms import meeting_due

CHANGED_MEANWHILE = "The melding was changed at the same time; try again."


class IntakeApplication(KeyedApplication):
    name = "intake"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        receipts: ReceiptKeys,
        receipt_book: ReceiptBook,
        sealers: Mapping[Adviser, IdentitySealer],
        clock: Clock | None = None,
        meeting_within_days: int = 7,
    ) -> None:
        super().__init__(env)
        self.receipts = receipts
        self.receipt_book = receipt_book
        self.sealers = sealers
        self.clock = clock or SystemClock()
        self.meeting_within_days = meeting_within_days

    def file_report(self, submission: Submission) -> Filed:
        """Seal, store and acknowledge a melding; the receipt code is returned only here."""
        draft = self.draft_report(submission)
        self.save(*draft.aggregates)
        return draft.filed

    def draft_report(self, submission: Submission) -> Draft:
        """Seal and acknowledge a melding, not yet stored: for a caller that stores
        several together (`Filing`). Raises InvalidInput as filing does."""
        channel = registration_channel(submission.registered_as, submission.channel)
        identity, sealed = self._identity(
            submission, self.sealers[adviser_for(submission.kind, channel)])
        now = self.clock.now()
        report = Report.file(
            kind=submission.kind, theme=submission.theme,
            description=submission.description, involved=list(submission.involved),
            occurred=submission.occurred, channel=channel, anonymous=submission.anonymous,
            identity=identity, sealed_identity=sealed, registered_at=now,
            reception=self._reception(submission, now), language=submission.language,
            concerns=submission.concerns,
        )
        report.acknowledge(at=now, body=ACKNOWLEDGEMENT[submission.language])
        if submission.meeting_requested:
            report.request_meeting(via="form", at=now,
                                   due_by=meeting_due(now, self.meeting_within_days))
        code = self.receipts.new_code()
        self.receipt_book.expect(str(report.id), self.receipts.digest(code))
        return Draft(Filed(id=report.id, receipt=code, acknowledged_at=now), (report,))

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Also the receipts of the meldingen saved (a row each in the receipt book,
        just before the events, as their keys)."""
        filed = {str(o.id if isinstance(o, Report) else o.originator_id)
                 for o in objs if isinstance(o, Report | Report.Filed)}
        self.receipt_book.add_expected(filed)
        try:
            return super().save(*objs, **kwargs)
        finally:
            self.receipt_book.settle(filed)

    legacy_topics = frozenset({get_topic(Receipt.Issued)})  # type: ignore[attr-defined]

    def legacy_rewrite(self, event: Any) -> Any:
        """A receipt from before the receipt book moves into it (`shared.legacy`)."""
        return retire_receipt(self.receipt_book, self.keyring, event)

    def find_by_receipt(self, code: str) -> UUID | None:
        """The melding a receipt code opens: one read by the code's keyed hash, then a
        constant-time comparison (made even when nothing was found)."""
        digest = self.receipts.digest(code)
        found = self.receipt_book.find(digest)
        if found is not None:
            return UUID(found)
        # A melding filed before the receipt book kept its receipt in the event store.
        try:
            receipt: Receipt | None = self.repository.get(Receipt.create_id(digest))
        except AggregateNotFoundError:
            receipt = None
        if not self.receipts.matches(receipt.digest if receipt else None, digest):
            return None
        assert receipt is not None
        if self.keyring is not None and self.keyring.shredding(str(receipt.report_id)):
            return None  # shredded: the receipt opens nothing, as a wrong code
        return receipt.report_id

    def get_report(self, melding_id: UUID) -> Report:
        report: Report | None
        try:
            report = self.repository.get(melding_id)
        except AggregateNotFoundError:
            report = None
        if not isinstance(report, Report):
            raise NotFound(f"No melding with id {melding_id}.")
        return report

    def read_sealed_identity(self, melding_id: UUID, *, by: str) -> dict[str, str]:
        """The ciphertext for the confidential adviser; the access itself is recorded."""
        report = self.update(
            lambda: self.get_report(melding_id),
            lambda report: report.record_identity_read(by=by, at=self.clock.now()),
            conflict=CHANGED_MEANWHILE,
        )
        assert report.sealed_identity is not None
        return report.sealed_identity

    def reply(self, melding_id: UUID, body: str) -> datetime:
        """The reporter writes in the mailbox; triage receives it as `reporter_replied`."""
        at = self.clock.now()
        self.update(
            lambda: self.get_report(melding_id),
            lambda report: report.reply(body=body, at=at),
            conflict=CHANGED_MEANWHILE,
        )
        return at

    def write_record(self, melding_id: UUID, text: str, *, by: Principal) -> int:
        """A new version of the record (verslag); the number of that version."""
        report = self.update(
            lambda: self._record_of(melding_id, by),
            lambda report: report.write_record(text=text, by=by.sub, at=self.clock.now()),
            conflict=CHANGED_MEANWHILE,
        )
        return len(report.record_versions)

    def read_record(self, melding_id: UUID, *, by: Principal) -> Report:
        return self._record_of(melding_id, by)

    def _record_of(self, melding_id: UUID, by: Principal) -> Report:
        """The melding, if `by` received it or may handle every melding's record."""
        report = self.get_report(melding_id)
        if report.received_by != by.sub and not authz.is_allowed(by.role, "record.handle_any"):
            raise NotFound(f"No melding with id {melding_id}.")
        return report

    def answer_record(self, melding_id: UUID, version: int, *, approved: bool,
                      corrections: str | None = None) -> datetime:
        """The reporter approves a version of the record, or sends corrections to it."""
        if approved == (corrections is not None):
            raise InvalidInput("Approve the record, or send what to correct in it.",
                               field="corrections")
        at = self.clock.now()

        def answer(report: Report) -> None:
            if corrections is None:
                report.approve_record(version=version, at=at)
            else:
                report.correct_record(version=version, corrections=corrections, at=at)

        self.update(lambda: self.get_report(melding_id), answer, conflict=CHANGED_MEANWHILE)
        return at

    def record_identity_consent(self, melding_id: UUID, given: bool) -> datetime:
        """The named reporter's answer in the mailbox; triage learns it as an event."""
        at = self.clock.now()
        self.update(
            lambda: self.get_report(melding_id),
            lambda report: report.record_identity_consent(given=given, at=at),
            conflict=CHANGED_MEANWHILE,
        )
        return at

    def request_meeting(self, melding_id: UUID) -> datetime:
        """The reporter asks, in the mailbox, to meet; the end of the term to meet by."""
        at = self.clock.now()
        due_by = meeting_due(at, self.meeting_within_days)
        self.update(
            lambda: self.get_report(melding_id),
            lambda report: report.request_meeting(via="mailbox", at=at, due_by=due_by),
            conflict=CHANGED_MEANWHILE,
        )
        return due_by

    def record_meeting(self, melding_id: UUID, held_at: datetime, *, by: str) -> None:
        self.update(
            lambda: self.get_report(melding_id),
            lambda report: report.record_meeting(held_at=held_at, by=by, at=self.clock.now()),
            conflict=CHANGED_MEANWHILE,
        )

    def adviser_writes(self, melding_id: UUID, body: str, *, by: str) -> datetime:
        """The confidential adviser who registered the melding writes in its mailbox."""
        at = self.clock.now()
        self.update(
            lambda: self.get_report(melding_id),
            lambda report: report.receive_adviser_message(body=body, by=by, at=at),
            conflict=CHANGED_MEANWHILE,
        )
        return at

    def adviser_mailbox(self, melding_id: UUID, *, by: str) -> list[dict[str, Any]]:
        """What the adviser who registered the melding sees of its mailbox: their own
        messages and the reporter's, which are read from then on."""
        report = self.get_report(melding_id)
        report.check_registered_by_adviser(by)
        if report.adviser_has_unread():
            # Only a new reply is worth an event: the page is opened far more often.
            self.update(lambda: self.get_report(melding_id),
                        lambda found: found.record_adviser_read(by=by, at=self.clock.now()),
                        conflict=CHANGED_MEANWHILE)
        return [m for m in report.messages if m["from"] in ("confidential_adviser", "reporter")]

    def record_contact_moment(self, *, adviser: str, theme: str, on: date) -> UUID:
        moment = ContactMoment.record(adviser=adviser, theme=theme, on=on,
                                      today=self.clock.now().date())
        self.save(moment)
        return moment.id

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """Integration events that intake does not react to."""

    @policy.register
    def _(self, event: ReporterMessaged, processing_event: ProcessingEvent[UUID]) -> None:
        report = self._known(event.melding_id, processing_event)
        if report is not None:
            report.receive_message(body=event.body, purpose=event.purpose, at=event.at)
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: AttachmentSent, processing_event: ProcessingEvent[UUID]) -> None:
        sent_to_mailbox(self.find, event, processing_event)

    @policy.register
    def _(self, event: MeldingClosed, processing_event: ProcessingEvent[UUID]) -> None:
        report = self._known(event.melding_id, processing_event)
        if report is not None and report.status != "closed":
            report.close(reason=event.reason, at=event.at)
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: MeldingReopened, processing_event: ProcessingEvent[UUID]) -> None:
        report = self._known(event.melding_id, processing_event)
        # A copy of an earlier reopening, after the next closing, changes nothing.
        if report is not None and report.closed_at and report.closed_at < event.at:
            report.reopen(at=event.at)
            processing_event.collect_events(report)

    @policy.register
    def _(self, event: MeldingShredded, processing_event: ProcessingEvent[UUID]) -> None:
        """Its term has passed: intake's key goes (a tombstone, harmlessly twice), and
        with it the melding and its mailbox; its receipt's row goes too, so nothing
        is left that links the receipt to the melding."""
        if self.keyring is not None:
            self.keyring.destroy(event.melding_id, event.shredded_at, event.term)
        self.receipt_book.forget(event.melding_id)

    def _known(self, melding_id: str, processing_event: ProcessingEvent[UUID]) -> Report | None:
        """None for a melding intake never filed (nothing to show in a mailbox)."""
        try:
            report = self.find(UUID(melding_id), processing_event)
        except ValueError:
            return None
        return report if isinstance(report, Report) else None

    @staticmethod
    def _identity(
        submission: Submission, sealer: IdentitySealer
    ) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
        """A named reporter's identity stays readable; an anonymous one's is sealed, to
        the public key of the adviser the melding goes to."""
        if submission.identity_sealed is not None:
            if submission.identity is not None:
                raise InvalidInput("Send the identity either sealed or in the clear, not both.",
                                   field="identity")
            if not submission.anonymous:
                raise InvalidInput("A sealed identity is for anonymous meldingen.",
                                   field="identity_sealed")
            if submission.key_id is None or not sealer.knows(submission.key_id):
                raise InvalidInput("The identity was sealed to an unknown key, or to the "
                                   "other confidential adviser's.", field="key_id")
            if not sealer.well_formed(submission.identity_sealed):
                raise InvalidInput("The sealed identity is not a sealed box.",
                                   field="identity_sealed")
            return None, {"key_id": submission.key_id, "sealed": submission.identity_sealed}
        if submission.key_id is not None:
            raise InvalidInput("A key_id belongs with identity_sealed.", field="key_id")
        if submission.identity is None:
            return None, None
        if submission.anonymous:
            return None, sealer.seal(submission.identity)
        return submission.identity, None

    @staticmethod
    def _reception(submission: Submission, now: datetime) -> Reception | None:
        if submission.received_by is None:
            if submission.received_at is not None or submission.received_reason is not None:
                raise InvalidInput("Only staff registering a melding on a reporter's behalf "
                                   "say when it was received.", field="received_at")
            return None
        return Reception(by=submission.received_by, at=submission.received_at or now,
                         how=submission.received_how, reason=submission.received_reason)

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
                received_how=filed.received_how,
                # Intake acknowledges in the same transaction as it files.
                acknowledged_at=filed.registered_at or filed.received_at,
                # Meldingen filed before `concerns` existed concern someone unknown.
                concerns=getattr(filed, "concerns", "unknown"),
                language=getattr(filed, "language", "nl"),
            )
        if isinstance(domain_event, Report.ReporterWrote):
            return ReporterReplied(melding_id=str(domain_event.originator_id),
                                   body=domain_event.body, at=domain_event.at)
        if isinstance(domain_event, Report.IdentityConsentRecorded):
            return IdentityConsentRecorded(melding_id=str(domain_event.originator_id),
                                           given=domain_event.given, at=domain_event.at)
        if isinstance(domain_event, ContactMoment.Recorded):
            return ContactMomentRecorded(adviser=domain_event.adviser,
                                         theme=domain_event.theme, date=domain_event.on)
        return record_or_meeting_event(domain_event) or attachment_event(domain_event)

