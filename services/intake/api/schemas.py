"""The request and response bodies of intake's API (see ../shared/API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from shared.contracts import Channel, Kind, Theme

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Short | None = None
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+() .-]*$")] | None = None


class MeldingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    theme: Theme
    description: Text
    anonymous: bool
    identity: Identity | None = None
    identity_sealed: Annotated[str, StringConstraints(max_length=4096)] | None = None
    key_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    involved: Annotated[list[Short], Field(max_length=50)] = []
    occurred: date | None = None
    channel: Channel = "web"


class FiledOut(BaseModel):
    id: str
    receipt: str = Field(description="16 digits in groups of four; shown once, never stored")
    acknowledged_at: datetime
