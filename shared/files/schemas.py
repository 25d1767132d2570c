"""A file as the API describes it (issue 19's contract): never its bytes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AttachmentOut(BaseModel):
    id: str
    name: str = Field(description="the cleaned file name it downloads under")
    size: int
    content_type: str = Field(description="as its bytes say, not its name")
    sha256: str = Field(description="of the bytes as stored (after cleaning)")
    cleaned: bool = Field(description="false: kept as sent, metadata and all")


class MailboxAttachmentOut(AttachmentOut):
    from_: str = Field(alias="from", description="`reporter` or `meldpunt`")
    at: datetime

    model_config = {"populate_by_name": True}
