"""What every integration event and its parts are made of."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    #: The fields with a melding's content or personal data: on the stream they travel
    #: encrypted with the melding's key, together in `keyed` (`shared.messaging.keyed`),
    #: so each has a default, which is what a service without the key reads.
    keyed_fields: ClassVar[tuple[str, ...]] = ()

    #: On the stream: the keyed fields' one ciphertext (None: they travel in the clear,
    #: for a melding filed before its key, or before they are sealed).
    keyed: str | None = None
    #: On the stream: the melding's key sealed to each service named: base64, after
    #: `e<N>:` when sealed to the service's transport epoch N (shared/messaging/epochs.py).
    keys: dict[str, str] | None = None

    def key_recipients(self) -> tuple[str, ...]:
        """The services this event brings the melding's key to: for the first event
        about a melding each of them holds content from."""
        return ()


class NamedIdentity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    email: str | None = None
    phone: str | None = None
