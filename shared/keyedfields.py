"""Fields of stored events encrypted with their melding's own key (docs/privacy.md,
"Retention and crypto-shredding"): the event store's mapper encrypts them as an
event is stored (together: one ciphertext, bound to the melding and the event's
topic, in the stored state's `keyed` in their place) and decrypts them as it is
read, so aggregates, policies and the relay see plaintext while the store holds
only what shredding ends.

An event stored before a field was encrypted still has it in the clear, and is read
as it is, until `meldingen retention migrate` rewrites it keyed (`shared.legacy`).
Once the melding's key is destroyed, reading such an event raises `Shredded`. A
service's application is a `KeyedApplication`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent, Tracking
from eventsourcing.utils import get_topic

from shared.application import ServiceApplication
from shared.contracts import IntegrationEvent
from shared.damage import DamageAwareMapper
from shared.datakeys import DataKey, KeyringError
from shared.errors import DamagedRecord
from shared.keyring import Keyring, MissingKey
from shared.messaging.keyed import open_event, seal

#: Where a stored event keeps its keyed fields, all in one ciphertext.
KEYED = "keyed"


class KeyedFieldsMapper(DamageAwareMapper):
    """`use` a keyring for `fields` (event topic -> the fields to encrypt); `creating`
    are the topics whose event is a melding's first: its key is made for it."""

    keyring: Keyring | None = None
    fields: Mapping[str, tuple[str, ...]] = {}
    creating: frozenset[str] = frozenset()

    def use(self, keyring: Keyring, fields: Mapping[str, tuple[str, ...]],
            creating: Iterable[str]) -> Keyring:
        self.keyring, self.fields, self.creating = keyring, dict(fields), frozenset(creating)
        return keyring

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        topic = get_topic(type(domain_event))
        names = self.fields.get(topic)
        if not names or self.keyring is None:
            return super().to_stored_event(domain_event)
        melding_id = melding_of(domain_event.originator_id, vars(domain_event))
        try:
            key = (self.keyring.for_new(melding_id) if topic in self.creating
                   else self.keyring.key(melding_id))
        except MissingKey:  # a melding from before keys: kept as its first events were
            return super().to_stored_event(domain_event)
        return self.keyed_stored_event(domain_event, key)

    def keyed_stored_event(self, domain_event: DomainEventProtocol[UUID],
                           key: DataKey) -> StoredEvent:
        """The event as stored with its keyed fields under `key` (also the migration's
        rewrite of an event stored before keys: `shared.legacy`)."""
        topic = get_topic(type(domain_event))
        names = self.fields.get(topic, ())
        state = dict(vars(domain_event))
        keyed = {name: state.pop(name) for name in names if name in state}
        # One ciphertext for the event's keyed fields: one encryption per event.
        state[KEYED] = key.encrypt_bytes(topic, self.transcoder.encode(keyed))
        encrypted = object.__new__(type(domain_event))  # the caller's keeps its plaintext
        object.__setattr__(encrypted, "__dict__", state)
        return super().to_stored_event(encrypted)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)  # a fresh event: nobody else holds it yet
        if KEYED not in state or self.keyring is None:
            return domain_event
        try:
            key = self.keyring.key(melding_of(stored_event.originator_id, state))
            state.update(self.transcoder.decode(
                key.decrypt_bytes(stored_event.topic, state.pop(KEYED))))
        except (KeyringError, MissingKey):  # altered, or its key lost: damaged
            damaged = self.register.note(stored_event.originator_id,
                                         stored_event.originator_version)
            raise DamagedRecord(damaged.originator_id, damaged.version) from None
        return domain_event

    def without_content(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID] | None:
        domain_event = DamageAwareMapper.to_domain_event(self, stored_event)
        state = vars(domain_event)
        if state.pop(KEYED, None) is None:
            return domain_event
        state.update(dict.fromkeys(self.fields.get(stored_event.topic, ())))
        return domain_event


def melding_of(originator_id: UUID | str, state: Mapping[str, Any]) -> str:
    """Whose key: the melding's that the event names (an aggregate beside the melding,
    as triage's desk), else its aggregate's, whose id is the melding's."""
    named = state.get("melding_id")
    return str(named if named is not None else originator_id)


class KeyedApplication(ServiceApplication):
    """A service application whose store keeps `fields` under each melding's key, and
    whose integration events carry their content sealed (`shared.messaging.keyed`)."""

    mapper_class = KeyedFieldsMapper
    #: None until `use_keyring` (the composition root's): then nothing is encrypted.
    keyring: Keyring | None = None
    _creating: tuple[type[Any], ...] = ()

    def use_keyring(self, keyring: Keyring, fields: Mapping[type[Any], tuple[str, ...]],
                    creating: Iterable[type[Any]]) -> None:
        """`fields`: per event class, the fields to encrypt; `creating`: the event
        classes that begin a melding (its key is made for them)."""
        assert isinstance(self.mapper, KeyedFieldsMapper)
        self.keyring = keyring
        self._creating = tuple(creating)
        self.mapper.use(keyring, {get_topic(cls): names for cls, names in fields.items()},
                        {get_topic(cls) for cls in self._creating})

    #: Topics of events that are no melding's keyed content but that the migration of
    #: meldingen from before keys rewrites (`legacy_rewrite`; `shared.legacy`).
    legacy_topics: frozenset[str] = frozenset()

    def legacy_rewrite(self, event: Any) -> Any:
        """The event of `legacy_topics` as it is to be stored from now on, None to
        leave it; done once its copy is kept where it is read from now on."""
        return None

    def process_batch(self, events: Sequence[Any], tracking: Tracking) -> None:
        """First the keys the batch's events bring for this service, in one go."""
        if self.keyring is not None:
            service = self.keyring.service
            self.keyring.adopt_many({
                melding_id: event.keys[service] for event in events
                if isinstance(event, IntegrationEvent) and event.keys
                and service in event.keys
                and isinstance(melding_id := getattr(event, "melding_id", None), str)})
        super().process_batch(events, tracking)

    def incoming(self, event: Any) -> Any:
        if self.keyring is None or not isinstance(event, IntegrationEvent):
            return event
        return open_event(event, self.keyring)

    def outgoing(self, event: IntegrationEvent, message_id: str, position: int
                 ) -> IntegrationEvent:
        return (event if self.keyring is None
                else seal(event, self.keyring, message_id, position))

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """First the keys of the meldingen a batch of events begins (intake's `Filing`
        saves events), in one transaction for the batch."""
        if self.keyring is not None:
            self.keyring.create_many(str(o.originator_id) for o in objs
                                     if isinstance(o, self._creating))
        return super().save(*objs, **kwargs)
