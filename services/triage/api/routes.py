"""Triage's HTTP routes for the meldpunt and the competent authority."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.triage.api.deps import QueueView
from services.triage.api.schemas import QueueItem, QueuePage
from shared.auth import Principal
from shared.contracts import Theme
from shared.web import authorized

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.get("/meldingen", response_model=QueuePage)
def list_meldingen(
    queue: QueueView,
    _: Annotated[Principal, authorized("melding.list")],
    status: str | None = None,
    theme: Theme | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QueuePage:
    """The queue, oldest first, filtered by status and theme."""
    entries = [
        e for e in queue.entries()
        if (status is None or e.status == status) and (theme is None or e.theme == theme)
    ]
    entries.sort(key=lambda e: e.received_at)
    page = entries[offset : offset + limit]
    return QueuePage(
        items=[QueueItem(id=str(e.id), kind=e.kind, theme=e.theme, channel=e.channel,
                         anonymous=e.anonymous, status=e.status, received_at=e.received_at)
               for e in page],
        total=len(entries), offset=offset, limit=limit,
    )
