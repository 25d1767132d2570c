"""Integration events about files: what a file is, never a byte of it (the bytes are
in the files stream, shared/files/store.py, sealed with the melding's key)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import IntegrationEvent


class FileDescribed(IntegrationEvent):
    """A file as an event tells of it."""

    #: The name a reporter gave a file may say who they are.
    keyed_fields: ClassVar[tuple[str, ...]] = ("name",)

    melding_id: str
    attachment_id: str
    size: int
    content_type: str
    sha256: str
    cleaned: bool
    #: How many chunks hold it in the files stream, and under whose subjects.
    chunks: int
    stored_by: str
    at: datetime
    name: str = ""


class AttachmentReceived(FileDescribed):
    """intake -> triage: the reporter sent a file (on the form, the API or the mailbox),
    stored cleaned of its metadata where its type allows (`cleaned`)."""

    type: ClassVar[str] = "attachment_received"


class AttachmentSent(FileDescribed):
    """triage -> intake: the meldpunt sent a file to the reporter's mailbox."""

    type: ClassVar[str] = "attachment_sent"


class AttachmentShared(FileDescribed):
    """triage -> investigation: a file the reporter sent after the decision that opened
    the case (those from before travel in `melding_decided`'s `attachments`), so the
    case's team reads it from the files stream too."""

    type: ClassVar[str] = "attachment_shared"


class SharedFile(BaseModel):
    """A reporter's file as `melding_decided` lists it for the case: what it is and
    where its chunks are (its name is the event's content, under the melding's key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attachment_id: str
    name: str
    size: int
    content_type: str
    sha256: str
    cleaned: bool
    chunks: int
    stored_by: str
    at: datetime
