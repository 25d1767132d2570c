"""Fields of stored events encrypted with their melding's own key (docs/privacy.md,
"Retention and crypto-shredding"): the event store's mapper encrypts them as an
event is stored and decrypts them as it is read, so aggregates, policies and the
relay see plaintext while the store holds only what shredding ends.

An event stored before a field was encrypted still has it in the clear, and is read
as it is. Once the melding's key is destroyed, reading such an event raises
`Shredded`. A service's application is a `KeyedApplication`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from shared.application import ServiceApplication
from shared.damage import DamageAwareMapper
from shared.datakeys import DataKey, KeyringError, is_encrypted
from shared.errors import DamagedRecord
from shared.keyring import Keyring, MissingKey


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
        melding_id = str(domain_event.originator_id)
        key = (self.keyring.for_new(melding_id) if topic in self.creating
               else self.keyring.key(melding_id))
        # A copy, so the caller's event keeps its plaintext (copy.copy is slower).
        encrypted = object.__new__(type(domain_event))
        encrypted.__dict__.update(vars(domain_event))
        for name in names:
            _set(encrypted, name, key.encrypt(name, getattr(domain_event, name)))
        return super().to_stored_event(encrypted)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        names = self.fields.get(stored_event.topic)
        if not names or self.keyring is None:
            return domain_event
        key: DataKey | None = None
        for name in names:
            value = getattr(domain_event, name)
            if isinstance(value, str) and is_encrypted(value):
                try:
                    key = key or self.keyring.key(str(stored_event.originator_id))
                    _set(domain_event, name, key.decrypt(name, value))
                except (KeyringError, MissingKey):  # altered, or its key lost: damaged
                    damaged = self.register.note(stored_event.originator_id,
                                                 stored_event.originator_version)
                    raise DamagedRecord(damaged.originator_id, damaged.version) from None
        return domain_event


def _set(domain_event: Any, name: str, value: str) -> None:
    """Events are frozen; this one is a fresh copy nobody else holds."""
    object.__setattr__(domain_event, name, value)


class KeyedApplication(ServiceApplication):
    """A service application whose store keeps `fields` under each melding's key."""

    mapper_class = KeyedFieldsMapper

    def use_keyring(self, keyring: Keyring, fields: Mapping[type[Any], tuple[str, ...]],
                    creating: Iterable[type[Any]]) -> None:
        """`fields`: per event class, the fields to encrypt; `creating`: the event
        classes that begin a melding (its key is made for them)."""
        assert isinstance(self.mapper, KeyedFieldsMapper)
        self.keyring = keyring
        self._creating = tuple(creating)
        self.mapper.use(keyring, {get_topic(cls): names for cls, names in fields.items()},
                        {get_topic(cls) for cls in self._creating})

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """First the keys of the meldingen a batch of events begins (intake's `Filing`
        saves events), in one transaction for the batch."""
        self.keyring.create_many(str(o.originator_id) for o in objs
                                 if isinstance(o, self._creating))
        return super().save(*objs, **kwargs)
