from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class QueueItem(BaseModel):
    id: str
    kind: str
    theme: str
    channel: str
    anonymous: bool
    status: str
    received_at: datetime


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int
    offset: int
    limit: int
