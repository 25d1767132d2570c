"""The envelope an integration event travels in: its source, its position in that
source's outbox (the message id), the hash chain's links, and its data."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from shared.contracts import CONTRACTS, IntegrationEvent


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: str
    schema_version: int
    source: str
    position: int
    data: dict[str, Any]
    #: The hash chain (shared.chain): SHA-256 of this source's previous envelope,
    #: and this event's link in the source's store chain. Absent before the chain.
    prev: str | None = None
    stored: str | None = None

    @property
    def message_id(self) -> str:
        return f"{self.source}:{self.position}"

    @property
    def subject(self) -> str:
        return f"meldingen.{self.source}.{self.type}"

    def event(self) -> IntegrationEvent:
        contract = CONTRACTS[self.type]
        if self.schema_version != contract.schema_version:
            raise ValueError(f"{self.type} v{self.schema_version} is not supported")
        return contract.model_validate(self.data)

    def encode(self) -> bytes:
        body = self.model_dump(mode="json")
        for name in ("prev", "stored"):
            if body[name] is None:
                del body[name]
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)

    @classmethod
    def decode(cls, payload: bytes) -> Envelope:
        return cls.model_validate(orjson.loads(payload))

    @classmethod
    def wrap(cls, event: IntegrationEvent, *, source: str, position: int,
             prev: str | None = None, stored: str | None = None) -> Envelope:
        return cls(type=event.type, schema_version=event.schema_version, source=source,
                   position=position, data=wire_data(event), prev=prev, stored=stored)


def wire_data(event: IntegrationEvent) -> dict[str, Any]:
    """The event's data as it travels: once its keyed fields are sealed into `keyed`
    they are left out (a consumer without the key reads their defaults); `keyed` and
    `keys` only when set, so an event without content reads as it always did."""
    left_out = {name for name in ("keyed", "keys") if getattr(event, name) is None}
    if event.keyed is not None:
        left_out |= set(event.keyed_fields)
    return event.model_dump(mode="json", exclude=left_out)
