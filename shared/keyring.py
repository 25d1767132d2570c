"""One service's keys of every melding: made or received, kept wrapped in its key
table, used to encrypt and decrypt the melding's fields, and destroyed when its
retention term ends (docs/privacy.md, "Retention and crypto-shredding").

Once destroyed, every use raises `Shredded` with the date: the one answer a caller
turns into `410 Gone`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime

from shared.clock import Clock, SystemClock
from shared.config import SERVICES, ConfigurationError, Settings
from shared.crypto import b64, unb64
from shared.datakeys import DataKey, KeyringError, ServiceKeys, open_sealed, seal_to
from shared.errors import Shredded
from shared.keystore import KeyStore, MissingKey, Shredding
from shared.messaging.epochs import Recipients
from shared.messaging.signing import parse_public_keys, verifier_for
from shared.transportkeys import RECEIVERS, EpochStore, OutboxPins

#: How many just-made or just-adopted keys are held in memory at most (the oldest
#: made goes first).
FRESH_KEYS = 4096

#: Keys opened from the stream ahead of their batch: each with its wrapped copy.
OpenedKeys = dict[str, tuple[DataKey, bytes]]

__all__ = ["Keyring", "KeyringError", "MissingKey", "OpenedKeys", "Shredded", "Shredding",
           "public_keys_of"]


class Keyring:
    def __init__(self, service: str, keys: ServiceKeys, store: KeyStore,
                 public_keys: Mapping[str, bytes], clock: Clock | None = None) -> None:
        self.service = service
        self.keys = keys
        self.store = store
        self.public_keys = dict(public_keys)
        self.clock = clock or SystemClock()
        # Transport keys by epoch: a receiver's own (`adopt` opens with them), and a
        # sender's view of the receivers' (`sealed_for` seals to them). None: fixed pair.
        self.epochs: EpochStore | None = None
        self.recipients: Recipients | None = None
        # Keys just made for a batch of filings, or adopted from the stream: so storing
        # a new melding's events, and relaying them (read back, then sealed), does not
        # read its key from the table again, three times a filing. Bounded (the oldest
        # made goes first); destroying a key drops it here too.
        self._fresh: OrderedDict[str, DataKey] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def for_service(cls, settings: Settings, service: str,
                    clock: Clock | None = None) -> Keyring:
        keys, store = ServiceKeys(settings.keyring_secret_of(service)), KeyStore.for_service(
            settings, service)
        keyring = cls(service, keys, store, public_keys_of(settings), clock)
        if service in RECEIVERS:
            keyring.epochs = EpochStore(keys, store, service)
        keyring.recipients = Recipients(settings, service, lambda: verifier_for(settings),
                                        OutboxPins(store, service))
        return keyring

    def create(self, melding_id: str) -> DataKey:
        """A new melding's key (where it is filed). Asked again, the same key."""
        key = DataKey.generate(melding_id)
        kept = self.store.add(melding_id, self.keys.wrap(key), self.clock.now())
        return self.keys.unwrap(melding_id, kept)

    def create_many(self, melding_ids: Iterable[str]) -> None:
        """New meldingen's keys in one transaction (see `KeyStore.add_many`), held for
        `for_new` and the first `key`."""
        keys = {melding_id: DataKey.generate(melding_id) for melding_id in melding_ids}
        wrapped = {melding_id: self.keys.wrap(key) for melding_id, key in keys.items()}
        kept = self.store.add_many(wrapped, self.clock.now())
        for melding_id, key in kept.items():
            self._hold(melding_id, keys[melding_id] if key == wrapped[melding_id]
                       else self.keys.unwrap(melding_id, key))

    def _hold(self, melding_id: str, key: DataKey) -> None:
        with self._lock:
            self._fresh[melding_id] = key
            while len(self._fresh) > FRESH_KEYS:
                self._fresh.popitem(last=False)

    def for_new(self, melding_id: str) -> DataKey:
        """The key of a melding whose first event is being stored: made by
        `create_many` just before, or else now."""
        with self._lock:
            fresh = self._fresh.get(melding_id)
        return fresh or self.create(melding_id)

    def adopt(self, melding_id: str, sealed_b64: str) -> DataKey:
        """A key another service sealed to this one on the stream, kept from now on.
        A redelivery keeps the first copy; a shredded melding stays shredded. Called as
        an event is applied: the event's tracked commit, next in the same database,
        makes the key durable too (`KeyStore.add`). A box sealed to an epoch that has
        ended is a redelivery: the key table has the key (or says it was shredded)."""
        with self._lock:
            held = self._fresh.get(melding_id)
        if held is not None:  # adopted with its batch (`adopt_opened`)
            return held
        key = self._open(melding_id, sealed_b64)
        if key is None:
            return self.key(melding_id)
        wrapped = self.keys.wrap(key)
        kept = self.store.add(melding_id, wrapped, self.clock.now(), flushed_by_next=True)
        adopted = key if kept == wrapped else self.keys.unwrap(melding_id, kept)
        self._hold(melding_id, adopted)  # storing the event reads it next
        return adopted

    def open_many(self, sealed: Mapping[str, str]) -> OpenedKeys:
        """The keys an inbox batch brings sealed to this service, opened and wrapped for
        the key table, changing nothing: so it can run in a thread of its own, ahead of
        the batch's turn (opening a sealed box is most of a melding's adoption, and
        libsodium releases the GIL for it). A key that does not open is left out, for
        `adopt` to raise for it as it would have."""
        opened: OpenedKeys = {}
        for melding_id, sealed_b64 in sealed.items():
            try:
                key = self._open(melding_id, sealed_b64)
            except (KeyringError, ValueError):
                continue
            if key is not None:  # sealed to an epoch that ended: `adopt` reads the table
                opened[melding_id] = (key, self.keys.wrap(key))
        return opened

    def adopt_opened(self, opened: OpenedKeys) -> None:
        """`adopt` for a batch's opened keys, in one transaction (`KeyStore.add_many`)
        instead of one each. A batch with a shredded melding is left to `adopt`, which
        raises for it as it would have."""
        try:
            kept = self.store.add_many({m: wrapped for m, (_, wrapped) in opened.items()},
                                       self.clock.now())
        except Shredded:  # nothing of the batch was kept: each is adopted on its own
            return
        for melding_id, wrapped in kept.items():
            key, ours = opened[melding_id]
            self._hold(melding_id, key if wrapped == ours
                       else self.keys.unwrap(melding_id, wrapped))

    def _open(self, melding_id: str, sealed: str) -> DataKey | None:
        """A box `e<N>:<base64>` is sealed to epoch N (None once it has ended), one
        without an epoch to the fixed pair."""
        epoch, _, box = sealed.rpartition(":")
        if not epoch:
            return self.keys.open_sealed(melding_id, unb64(box))
        if not epoch.startswith("e") or not epoch[1:].isdigit():
            raise KeyringError(f"the sealed key of melding {melding_id} names no epoch")
        private = self.epochs.private(int(epoch[1:])) if self.epochs is not None else None
        return None if private is None else open_sealed(private, melding_id, unb64(box))

    def key(self, melding_id: str) -> DataKey:
        """Raises `Shredded` after destruction, `MissingKey` if none ever came."""
        with self._lock:
            fresh = self._fresh.get(melding_id)
        return fresh or self.keys.unwrap(melding_id, self.store.get(melding_id))

    def encrypt(self, melding_id: str, field: str, plaintext: str) -> str:
        return self.key(melding_id).encrypt(field, plaintext)

    def decrypt(self, melding_id: str, field: str, ciphertext: str) -> str:
        return self.key(melding_id).decrypt(field, ciphertext)

    def sealed_for(self, key: DataKey, services: Iterable[str], position: int
                   ) -> dict[str, str]:
        """The key sealed to each consuming service, for the integration event at this
        outbox `position`: to the epoch `Recipients` chooses (`e<N>:` and base64), else
        to the service's fixed pair (base64)."""
        sealed: dict[str, str] = {}
        for service in services:
            epoch = (self.recipients.choose(service, position)
                     if self.recipients is not None else None)
            if epoch is not None:
                sealed[service] = f"e{epoch[0]}:{b64(seal_to(epoch[1], key))}"
                continue
            if service not in self.public_keys:
                raise ConfigurationError(f"no keyring public key for {service}")
            sealed[service] = b64(seal_to(self.public_keys[service], key))
        return sealed

    def destroy(self, melding_id: str, at: datetime, term: str | None) -> Shredding:
        with self._lock:
            self._fresh.pop(melding_id, None)
        return self.store.destroy(melding_id, at, term)

    def shredding(self, melding_id: str) -> Shredding | None:
        return self.store.shredding(melding_id)


def public_keys_of(settings: Settings) -> dict[str, bytes]:
    """Every service's current keyring public key: the last one configured for it,
    or in development the public half of its generated secret."""
    text = settings.keyring_public_keys_text()
    if text is None:
        return {service: ServiceKeys(settings.keyring_secret_of(service)).public_key
                for service in SERVICES}
    configured = parse_public_keys(text, "MELDINGEN_KEYRING_PUBLIC_KEYS")
    return {service: unb64(keys[-1]) for service, keys in configured.items()}
