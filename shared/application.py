"""The base of every service's eventsourcing application: commit callbacks (the views
and the relay's wake-up), `find` for policies, `update` retried on a concurrent writer,
and dates stored as ISO strings. Each service declares its own `policy`
(`@singledispatchmethod`, one handler per integration event it consumes)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    Recording,
    Tracking,
    Transcoding,
)
from eventsourcing.system import ProcessApplication
from eventsourcing.utils import get_topic

from shared.contracts import IntegrationEvent
from shared.damage import DamageAwareMapper, DamageRegister
from shared.damagestore import DamageStore
from shared.errors import Conflict, DamagedRecord, Shredded
from shared.keystore import MissingKey
from shared.parking import ParkedMessage, Parking
from shared.processing import commit
from shared.recorders import CoreEvents, all_notifications, stored_originators
from shared.viewstore import Commits, StoredViews

log = logging.getLogger("meldingen.application")
#: Notifications a sweep reads per page of the store, and between its pauses.
SWEEP_PAGE = 1000

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class BatchProcessing(ProcessingEvent[UUID]):
    """An inbox batch's processing, knowing which of the meldingen it names had no
    stored events when it began: `find` answers those without a read each."""

    def __init__(self, tracking: Tracking | None = None) -> None:
        super().__init__(tracking=tracking)
        self.absent: set[UUID] = set()

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        """As the library's, but an aggregate is known by its class: the library's
        checks against its runtime protocols walk the protocol's members on every
        call, 15 % of the inbox's time with the GIL for a batch of new meldingen."""
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


class ServiceApplication(ProcessApplication[UUID]):
    #: The service's name: table prefix, NATS subject part and message-id prefix.
    name: str

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.damage = DamageRegister(self.name)  # before the mapper is made
        super().__init__(env)
        self._on_recorded: list[Callable[[list[Recording[UUID]]], None]] = []
        self.swept = False
        self.commits = Commits()

    def keep_damage_register(self) -> None:
        """Keep the damage register in the store (`shared.damagestore`), for the sweep
        to resume from: a service does, as its app is made (`shared.service`); a tool
        that only reads the store (the audit) writes nothing to it."""
        recorder = self.recorder
        if isinstance(recorder, CoreEvents):  # every service's store
            self.damage.ledger = DamageStore(recorder.engine(), self.name)

    #: A service whose events carry fields encrypted per melding uses a subclass
    #: (`shared.keyedfields`).
    mapper_class: type[DamageAwareMapper] = DamageAwareMapper

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = self.factory.mapper(transcoder=self.construct_transcoder(),
                                     mapper_class=self.mapper_class)
        assert isinstance(mapper, DamageAwareMapper)
        mapper.register = self.damage
        return mapper

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def on_recorded(self, callback: Callable[[list[Recording[UUID]]], None]) -> None:
        """Call `callback` with the recordings of every commit (views update, and the
        outbox relay wakes up, on it)."""
        self._on_recorded.append(callback)

    def feed(self, *views: Callable[[Any], object], shredded_too: bool = False) -> None:
        """Feed views every stored domain event (in one sweep), then each new commit's
        as it happens (subscribed first, so nothing falls between; a view's apply is
        idempotent). `shredded_too`: see `_read`."""
        def apply(event: Any) -> None:
            for view in views:
                view(event)

        def apply_all(recordings: list[Recording[UUID]]) -> None:
            for recording in recordings:
                apply(recording.domain_event)

        self.on_recorded(apply_all)
        self.sweep(apply, shredded_too=shredded_too)

    def feed_stored(self, stored: StoredViews, *,
                    topical: Sequence[tuple[Callable[[Any], object], Sequence[str]]] = ()
                    ) -> None:
        """Feed stored views from their rows and the events after their position, and
        each `topical` view (one of few events: the staff directory) every event of its
        topics; then each new commit's. The whole store is still read once, in the
        background (`swept_at_start`), for the damage check, resumed where it got to."""
        position = stored.restore()

        def apply_all(recordings: list[Recording[UUID]]) -> None:
            stored.recorded(recordings)
            for recording in recordings:
                for view, _ in topical:
                    view(recording.domain_event)

        def read_ids(ids: list[int]) -> list[Any]:
            events: list[Any] = []
            for notification_id in ids:
                for notification in self.recorder.select_notifications(notification_id, 1):
                    self._read(notification, events.append, shredded_too=True)
            for event in events:
                for view, _ in topical:
                    view(event)
            return events

        self.on_recorded(apply_all)
        stored.commits, stored.read_ids = self.commits, read_ids
        for view, topics in topical:
            for notification in all_notifications(self.recorder, topics=topics):
                self._read(notification, view)
        last, read = position, 0
        page: list[Any] = []
        for notification in all_notifications(self.recorder, after=position):
            self._read(notification, page.append, shredded_too=True)
            last, read = notification.id, read + 1
            if len(page) >= 1000:  # a page per transaction of views that store rows
                stored.apply_all(page)
                page = []
        stored.apply_all(page)
        stored.swept(last, read)

    def sweep(self, apply: Callable[[Any], object] | None = None,
              stopping: Callable[[], bool] = lambda: False, *,
              shredded_too: bool = False, share: float = 1.0,
              wait: Callable[[float], object] = time.sleep,
              again_after: float | None = None) -> None:
        """Read the stored events, oldest first, and hand each readable one to `apply`;
        a damaged one is noted (logged, in /readyz) and left out. `shredded_too`: see
        `_read`. `share`: of one core, at most (a sweep in the background waits, with
        `wait`, after each page in proportion to the CPU the page took), so that a
        start on a long history leaves the service's own work its core.

        Without `apply` it is the damage check, and with the register kept in the
        store (`damage.ledger`) it resumes: it checks the damaged events kept from
        before again, then reads only the events after the position checked, stored
        after each page; once the whole store is checked, a start reads only the new
        events, until `again_after` seconds after that sweep ended (None: never)."""
        ledger = self.damage.ledger if apply is None else None
        after, whole = None, True
        if ledger is not None:
            self._check_kept()
            state = ledger.state()
            if state.completed_at is not None and again_after is not None \
                    and time.time() - state.completed_at >= again_after:
                ledger.begin_again()
            else:
                after, whole = state.position, state.completed_at is None
        rest = (1.0 - share) / share
        page_start = time.thread_time()
        last = after
        for read, notification in enumerate(all_notifications(
                self.recorder, page=SWEEP_PAGE, after=after), start=1):
            if stopping():
                break
            self._read(notification, apply or (lambda _: None), shredded_too=shredded_too)
            last = notification.id
            if read % SWEEP_PAGE == 0:
                if ledger is not None:
                    ledger.checked(last)
                if rest:
                    wait((time.thread_time() - page_start) * rest)
                    page_start = time.thread_time()
        else:
            if ledger is not None:
                ledger.checked(last or 0, completed=whole)
            self.swept = True
            return
        if ledger is not None and last is not None:
            ledger.checked(last)  # stopped: the next start goes on after the last read

    def _check_kept(self) -> None:
        """Read each damaged event the register kept from before: still damaged, it is
        noted (logged and listed by this process too); readable, it was restored."""
        for damaged in self.damage.kept():
            stored = self.recorder.select_events(
                UUID(damaged.originator_id), gt=damaged.version - 1, lte=damaged.version)
            try:
                for event in stored:
                    self.mapper.to_domain_event(event)
            except DamagedRecord:
                continue
            except Shredded:
                pass  # its key is gone, its bytes read: not damaged
            self.damage.restored(damaged)

    def _read(self, notification: Notification, apply: Callable[[Any], object], *,
              shredded_too: bool = False) -> None:
        """`shredded_too`: a shredded melding's event is applied without its content,
        so that a stored view rebuilt from the events still lists the melding."""
        event: Any
        try:
            event = self.mapper.to_domain_event(notification)
        except DamagedRecord:
            return
        except Shredded:
            if not shredded_too or not isinstance(self.mapper, DamageAwareMapper):
                return
            event = self.mapper.without_content(notification)
            if event is None:
                return
        apply(event)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        self.commits.begin()  # until `_notify` has run the callbacks
        try:
            return super()._record(processing_event)
        except BaseException:
            self.commits.end()
            raise

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        try:
            super()._notify(recordings)
            if recordings:
                for callback in self._on_recorded:
                    callback(recordings)
        finally:
            self.commits.end()

    #: Whether its policies `find` meldingen: a batch then asks the store once which of
    #: the meldingen it names have stored events. Off for a service whose policies
    #: store nothing (reporting only counts), which would pay the query for nothing.
    finds_meldingen = True

    def process_admitted(self, events: Sequence[Any], tracking: Tracking,
                         bodies: Sequence[dict[str, Any] | None], prepared: Any = None
                         ) -> None:
        """An inbox batch, with each admitted event's envelope as the inbox parsed it
        (None for a parked message), and what `prepare_batch` made of it. Most
        services need only the events."""
        self.process_batch(events, tracking, prepared)

    def prepare_batch(self, events: Sequence[Any]) -> Any:
        """What `process_batch` can be given ahead (`prepared`), worked out from the
        batch's events alone and touching nothing, so that an inbox can run it in a
        thread while the batch before is applied. Nothing here."""
        return None

    def process_batch(self, events: Sequence[Any], tracking: Tracking,
                      prepared: Any = None) -> None:
        """Apply several integration events in one transaction, tracked at the place of
        the last (a commit per batch, not per event, keeps a busy inbox fast). Policies
        see the batch's earlier changes through `find`. A `Parking` in place of an
        event is kept as a ParkedMessage, and no policy sees it. `prepared`: what
        `prepare_batch` made of these events, if it ran."""
        processing_event = BatchProcessing(tracking=tracking)
        with self.processing_lock:
            if self.finds_meldingen:
                named = {UUID(melding_id) for event in events
                         if isinstance(melding_id := getattr(event, "melding_id", None), str)}
                processing_event.absent = named - stored_originators(self.recorder, named)
            for event in events:
                if isinstance(event, Parking):
                    processing_event.collect_events(ParkedMessage.of(event))
                else:
                    self.apply_policy(event, processing_event)
            commit(self, processing_event)

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """One integration event, as the library does it, but through `apply_policy`."""
        processing_event = ProcessingEvent[UUID](tracking=tracking)
        with self.processing_lock:
            self.apply_policy(domain_event, processing_event)
            commit(self, processing_event)

    def apply_policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        """The policy for one integration event. One whose aggregate's record is damaged
        changes nothing (the mapper raised before any change was collected) and is
        tracked like the others: retrying it would stop the inbox for every melding.
        Its stream position is logged, for the operator to redo once it is restored.
        One for a shredded melding is tracked the same way, for good; so is one whose
        content this service holds no key of (the melding is not its to hold)."""
        try:
            self.policy(self.incoming(event), processing_event)
        except DamagedRecord as damaged:
            tracking = processing_event.tracking
            log.error("integration event not applied: its aggregate's record is damaged",
                      extra={"store": self.name, "originator_id": damaged.originator_id,
                             "position": tracking.notification_id if tracking else None})
        except Shredded as shredded:
            # Its content is gone for good: the event has nothing left to change.
            tracking = processing_event.tracking
            log.info("integration event not applied: its melding was shredded",
                     extra={"store": self.name, "melding_id": shredded.melding_id,
                            "position": tracking.notification_id if tracking else None})
        except MissingKey as missing:
            tracking = processing_event.tracking
            log.info("integration event passed over: no key for its melding's content",
                     extra={"store": self.name, "melding_id": missing.melding_id,
                            "position": tracking.notification_id if tracking else None})

    def incoming(self, event: Any) -> Any:
        """An integration event as the policy reads it (`shared.keyedfields` opens
        its content)."""
        return event

    def outgoing(self, event: IntegrationEvent, message_id: str, position: int
                 ) -> IntegrationEvent:
        """An integration event as it goes on the stream (`shared.keyedfields` seals
        its content)."""
        return event

    def unread_event(self, aggregate_id: UUID, event_class: type[Any], **fields: Any
                     ) -> Any | None:
        """An `event_class` event for an aggregate that no longer reads (its melding's
        key is gone: shredding's last step, after a crash), after its last stored
        version; None for no aggregate, or one whose last event is of that class."""
        last = self.recorder.select_events(aggregate_id, desc=True, limit=1)
        if not last or last[0].topic == get_topic(event_class):
            return None
        return event_class(originator_id=aggregate_id,
                           originator_version=last[0].originator_version + 1,
                           timestamp=event_class.create_timestamp(), **fields)

    def find(self, aggregate_id: UUID, processing_event: ProcessingEvent[UUID]) -> Any | None:
        """For a policy: the aggregate as this batch left it, else as stored; None if
        there is none."""
        if aggregate_id in processing_event.aggregates:
            return processing_event.aggregates[aggregate_id]
        if isinstance(processing_event, BatchProcessing) and (
                aggregate_id in processing_event.absent):
            return None
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def update(self, get: Callable[[], A], change: Callable[[A], object], *,
               conflict: str, attempts: int = 3) -> A:
        """Get, change and save one aggregate; if another writer (a request, or the
        inbox) saved it in between, do it again on the fresh state. The change's own
        checks run every time, so a retry cannot skip a rule."""
        for attempt in range(attempts):
            aggregate = get()
            change(aggregate)
            try:
                self.save(aggregate)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise Conflict(conflict) from None
                continue
            return aggregate
        raise AssertionError("unreachable")

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        """The integration event to publish for one of this service's domain events,
        or None for events that stay inside the service."""
        return None
