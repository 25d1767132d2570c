"""The notifier's use cases: decide notices from the integration events the console
receives (inside the inbox's transaction, so each is decided exactly once), decide
the feedback reminders and the day's digests when the clock says so, choose a
person's delivery, and hand the postman each mail and its receipt."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from services.console.application import ConsoleApplication
from services.console.domain.staff import StaffMember
from services.console.notifications.domain.mails import Mail, digest_mail, notice_mail
from services.console.notifications.domain.notices import (
    DELIVERIES,
    Digest,
    FeedbackTerm,
    MailPreference,
    Notice,
    Occasion,
    Routing,
    digest_item,
)
from services.console.notifications.domain.rules import (
    recipients,
    reminders_due,
    sending_turn,
    still_news,
)
from services.console.notifications.views import NoticeBoard, due_by
from shared.authz import MeldingParties
from shared.clock import Clock
from shared.contracts import (
    CompetentAuthorityAssigned,
    MeldingAssessed,
    MeldingClosed,
    MeldingReceived,
    MeldingRecused,
    MeldingReopened,
    RecordStatusChanged,
    ReporterMessaged,
    ReporterReplied,
    ResponseTermLapsed,
)
from shared.errors import InvalidInput
from shared.terms import LOCAL, deadlines, local_date

Find = Callable[[UUID], Any]
#: Feedback terms whose reminders are decided in one transaction: after a backlog (a
#: year of meldingen, all past their term) one commit per term kept the console's
#: pages waiting behind the check.
REMIND_BATCH = 100
#: The reporter's answers to the record of an oral report that staff are told of.
RECORD_ANSWERS: dict[str, Occasion] = {"approved": "record_approved",
                                       "corrections_sent": "record_corrected"}


class Notifier:
    def __init__(self, console: ConsoleApplication, clock: Clock, *, console_url: str,
                 digest_hour: int, claim_for: timedelta, board: NoticeBoard) -> None:
        self.console = console
        self.claim_for = claim_for
        self.clock = clock
        self.console_url = console_url
        self.digest_hour = digest_hour
        self.board = board  # fed by the console's stored views (bootstrap)
        console.reactions.append(self.react)

    # -- reactions to integration events (in the inbox's transaction) -------------

    def react(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        def find(aggregate_id: UUID) -> Any:
            return self.console.find(aggregate_id, processing_event)

        collect = processing_event.collect_events
        if isinstance(event, MeldingReceived):
            feedback_by = deadlines(event.received_at, event.acknowledged_at).feedback_by
            term_id = FeedbackTerm.create_id(event.melding_id)
            if feedback_by is not None and find(term_id) is None:
                collect(FeedbackTerm(melding_id=event.melding_id, feedback_by=feedback_by))
            collect(*self._notices("melding_received", event.melding_id, find,
                                   key=event.melding_id, at=event.received_at))
        elif isinstance(event, MeldingAssessed | CompetentAuthorityAssigned | MeldingRecused):
            self._route(event, find, collect)
        elif isinstance(event, ReporterReplied):
            collect(*self._notices("reporter_replied", event.melding_id, find,
                                   key=f"{event.melding_id}/{event.at.isoformat()}",
                                   at=event.at))
        elif isinstance(event, RecordStatusChanged) and event.status in RECORD_ANSWERS:
            collect(*self._notices(RECORD_ANSWERS[event.status], event.melding_id, find,
                                   key=f"{event.melding_id}/{event.at.isoformat()}",
                                   at=event.at))
        elif isinstance(event, ResponseTermLapsed):
            # Routed as the case says (its competent authority and team), leaving out
            # whom the melding's routing excludes.
            routing = find(Routing.create_id(event.melding_id))
            parties = MeldingParties(
                event.competent_authority,
                excluded=routing.excluded if routing is not None else (),
                investigators=event.investigators)
            collect(*self._notices("response_term_lapsed", event.melding_id, find,
                                   key=f"{event.melding_id}/{event.draft_version}",
                                   at=event.at, due=local_date(event.term_ended),
                                   parties=parties))
        elif ((isinstance(event, ReporterMessaged) and event.purpose == "feedback")
              or isinstance(event, MeldingClosed)):
            term = find(FeedbackTerm.create_id(event.melding_id))
            if term is not None and not term.ended:
                term.end(at=event.at)
                collect(term)
        elif isinstance(event, MeldingReopened):
            # Only the feedback term matters here: it runs from the reopening, as
            # triage's does (the receipt's 7 days are long met).
            feedback_by = deadlines(event.at, event.at).feedback_by
            assert feedback_by is not None
            term = find(FeedbackTerm.create_id(event.melding_id))
            if term is None:
                collect(FeedbackTerm(melding_id=event.melding_id, feedback_by=feedback_by))
            elif term.feedback_by != feedback_by:  # not a copy of the same reopening
                term.restart(feedback_by=feedback_by, at=event.at)
                collect(term)

    def _route(self, event: MeldingAssessed | CompetentAuthorityAssigned | MeldingRecused,
               find: Find, collect: Callable[..., None]) -> None:
        """Keep the melding's parties; tell a competent authority it was routed to."""
        routing: Routing = (find(Routing.create_id(event.melding_id))
                            or Routing(melding_id=event.melding_id))
        if isinstance(event, MeldingRecused):
            routing.recuse(event.sub)
            collect(routing)
            return
        if isinstance(event, MeldingAssessed):
            routing.route(event.competent_authority, event.excluded)
        else:
            routing.route(event.sub, [])
        collect(routing, *self._notices("melding_routed", event.melding_id, find,
                                        key=event.melding_id, at=event.at, routing=routing))

    def _notices(self, occasion: Occasion, melding_id: str, find: Find, *, key: str,
                 at: datetime, due: date | None = None, routing: Routing | None = None,
                 parties: MeldingParties | None = None,
                 staff: list[StaffMember] | None = None) -> list[Notice]:
        if not still_news(at, self.clock.now()):
            return []
        if parties is None:
            routing = routing or find(Routing.create_id(melding_id))
            parties = routing.parties() if routing is not None else MeldingParties(None)
        key = f"{occasion}/{key}"
        return [Notice(key=key, sub=person.sub, email=person.email, occasion=occasion,
                       melding_id=melding_id, due=due, delivery=self.delivery_of(person.sub),
                       at=at)
                for person in recipients(occasion,
                                         self.console.staff() if staff is None else staff,
                                         routed=parties.competent_authority,
                                         excluded=list(parties.excluded),
                                         investigators=list(parties.investigators))
                if find(Notice.create_id(key, person.sub)) is None]

    # -- what the clock decides ------------------------------------------------------

    def check(self) -> None:
        """Decide the reminders due now, then the digests due now."""
        now = self.clock.now()
        self.remind(now)
        self.gather(now)

    def remind(self, now: datetime) -> None:
        # The board's table says which terms have a reminder due by their day; only
        # those are read (walking every open term each minute took the console's CPU).
        due = [term_id for term_id, seen in self.board.open_terms(due_by(now)).items()
               if reminders_due(seen, now)]
        staff = self.console.staff()  # once a check: each term's recipients come from it
        for start in range(0, len(due), REMIND_BATCH):
            batch = due[start:start + REMIND_BATCH]
            decided = [self._reminders(term_id, now, staff) for term_id in batch]
            try:
                self.console.save(*(a for aggregates in decided for a in aggregates))
            except IntegrityError:
                # One of them was decided at the same time elsewhere: that decision
                # stands, and the others are decided again one by one.
                for term_id in batch:
                    self._save_once(*self._reminders(term_id, now, staff))

    def _reminders(self, term_id: UUID, now: datetime,
                   staff: list[StaffMember]) -> list[Aggregate]:
        """The term with the reminders due now decided, and their notices."""
        term: FeedbackTerm = self.console.repository.get(term_id)
        notices: list[Notice] = []
        for occasion in reminders_due(term, now):
            term.remind(occasion)
            notices += self._notices(occasion, term.melding_id, self._stored, key=term.key,
                                     at=now, due=local_date(term.feedback_by), staff=staff)
        return [term, *notices]

    def gather(self, now: datetime) -> None:
        """After the digest hour, each person's waiting digest notices become that
        day's one digest; what is decided later waits for the next day's."""
        if now.astimezone(LOCAL).hour < self.digest_hour:
            return
        day = local_date(now)
        for sub, notice_ids in self.board.to_gather().items():
            digest_id = Digest.create_id(sub, day)
            if self._stored(digest_id) is not None:
                continue
            notices: list[Notice] = [self.console.repository.get(i) for i in notice_ids]
            digest = Digest(sub=sub, email=notices[-1].email, day=day,
                            items=[digest_item(n) for n in notices], at=now)
            for notice in notices:
                notice.gather(digest.id)
            self._save_once(digest, *notices)

    def _save_once(self, *aggregates: Aggregate) -> None:
        # Decided at the same time elsewhere: that decision stands.
        with contextlib.suppress(IntegrityError):
            self.console.save(*aggregates)

    def _stored(self, aggregate_id: UUID) -> Any:
        try:
            return self.console.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # -- each person's choice -----------------------------------------------------------

    def delivery_of(self, sub: str) -> str:
        preference: MailPreference | None = self._stored(MailPreference.create_id(sub))
        return preference.delivery if preference is not None else "immediate"

    def choose_delivery(self, sub: str, delivery: str) -> None:
        if delivery not in DELIVERIES:
            raise InvalidInput(f"Choose one of {', '.join(DELIVERIES)}.", field="delivery")
        now = self.clock.now()
        preference: MailPreference | None = self._stored(MailPreference.create_id(sub))
        if preference is None:
            self._save_once(MailPreference(sub=sub, delivery=delivery, at=now))
        elif preference.delivery != delivery:
            self.console.update(lambda: self.console.repository.get(preference.id),
                                lambda p: p.choose(delivery, at=now),
                                conflict="The choice was changed at the same time.")

    # -- for the postman ------------------------------------------------------------------

    def mail(self, mail_id: UUID) -> Mail:
        aggregate: Notice | Digest = self.console.repository.get(mail_id)
        if isinstance(aggregate, Digest):
            return digest_mail(aggregate, self.console_url)
        return notice_mail(aggregate, self.console_url)

    def claim_all(self, mail_ids: list[UUID], by: str) -> list[Literal["send", "sent", "held"]]:
        """`claim` for mails in the order decided, in one commit: each turn up to the
        first one held (those after it wait, so they are not claimed), then "held"."""
        now = self.clock.now()
        turns: list[Literal["send", "sent", "held"]] = []
        claimed: list[Notice | Digest] = []
        for mail_id in mail_ids:
            mail: Notice | Digest = self.console.repository.get(mail_id)
            turn = sending_turn(mail, by, now) if "held" not in turns else "held"
            if turn == "send":
                mail.claim(by, until=now + self.claim_for)
                claimed.append(mail)
            turns.append(turn)
        try:
            if claimed:
                self.console.save(*claimed)
        except IntegrityError:
            return ["held"] * len(mail_ids)  # another postman's claim came first
        return turns

    def mailed(self, mail_id: UUID) -> None:
        now = self.clock.now()
        self.console.update(lambda: self.console.repository.get(mail_id),
                            lambda mail: mail.mark_mailed(at=now),
                            conflict="The mail was marked at the same time.")
