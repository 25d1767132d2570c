"""A melding's content on the stream (docs/privacy.md, "Retention and
crypto-shredding"): what a contract declares as its `keyed_fields` travels encrypted
with the melding's key, in one ciphertext bound to the melding and the event's type;
the first event a content-holding service gets about a melding brings it the key,
sealed to that service (`key_recipients`). Ids, statuses, dates, kinds, themes,
outcomes and counts stay readable, for reporting's figures and the hash chains.

The publisher seals (`seal`, in the relay) and the consumer opens (`open_event`,
before its policy, in the tracked transaction's processing): one rule for both.
"""

from __future__ import annotations

from typing import Any

import orjson

from shared.contracts import IntegrationEvent
from shared.datakeys import DataKey
from shared.keyring import Keyring, MissingKey


def keyed_part(event: IntegrationEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", include=set(event.keyed_fields))


def seal(event: IntegrationEvent, keyring: Keyring, message_id: str, position: int
         ) -> IntegrationEvent:
    """The event as it goes on the stream. `message_id` makes its encryption
    deterministic, and its outbox `position` the epochs its key is sealed to: a copy
    published again after a crash is the same message. A melding
    this service has no key of (filed before keys existed) travels as before."""
    recipients = event.key_recipients()
    if not event.keyed_fields and not recipients:
        return event
    melding_id: str = getattr(event, "melding_id")  # noqa: B009 - every keyed contract has one
    try:
        key = keyring.key(melding_id)
    except MissingKey:
        return event
    update: dict[str, Any] = {}
    if event.keyed_fields:
        update["keyed"] = key.encrypt_bytes(
            event.type, orjson.dumps(keyed_part(event), option=orjson.OPT_SORT_KEYS),
            derived_from=message_id.encode())
    if recipients:
        update["keys"] = keyring.sealed_for(key, recipients, position)
    return event.model_copy(update=update)


def open_event(event: IntegrationEvent, keyring: Keyring) -> IntegrationEvent:
    """The event as the consumer's policy reads it: the key it brings for this service
    adopted (a redelivery keeps the first; a shredded melding raises `Shredded`), its
    keyed fields decrypted. Raises `MissingKey` for content this service holds no key
    of (it is not the melding's, here: the policy passes it over)."""
    if event.keyed is None and not event.keys:
        return event
    melding_id: str = getattr(event, "melding_id")  # noqa: B009
    key: DataKey | None = None
    if event.keys and keyring.service in event.keys:
        key = keyring.adopt(melding_id, event.keys[keyring.service])
    if event.keyed is None:
        return event.model_copy(update={"keys": None})
    key = key or keyring.key(melding_id)
    content = orjson.loads(key.decrypt_bytes(event.type, event.keyed))
    state = event.model_dump(exclude={"keyed", "keys", *event.keyed_fields})
    return type(event).model_validate({**state, **content})
