"""A file as the API describes it (issue 19's contract): never its bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

#: The OpenAPI request body of a route that takes one file (the route streams it).
FILE_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


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
