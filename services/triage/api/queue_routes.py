"""Triage's queue routes: the filtered, sorted list of meldingen and the search over
their descriptions, both of the meldingen the caller may see."""

from __future__ import annotations

from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Hashable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from services.triage.adapters.queue_parts import Key, Narrowing, words_of
from services.triage.api.deps import Parts, QueueView, Triage
from services.triage.api.page_cache import PageCache
from services.triage.api.queue_json import page_json
from services.triage.api.schemas import QueuePage
from services.triage.api.search_schemas import QueueFilters, SearchIn
from shared.auth import Principal
from shared.authz import visibility
from shared.deps import authorized
from shared.errors import InvalidInput

router = APIRouter(prefix="/api", tags=["meldingen"])


@router.get("/meldingen", response_model=QueuePage)
async def list_meldingen(
    parts: Parts,
    principal: Annotated[Principal, authorized("melding.list")],
    filters: Annotated[QueueFilters, Query()],
) -> Response:
    """The queue, oldest first or nearest deadline first, filtered by status, kind,
    theme, channel, severity, missed terms, unread replies and a closing feedback due:
    every melding for the meldpunt, the assigned ones for a competent authority, never
    one the caller is concerned in or recused from."""
    # A page asked again while nothing changed is sent as it was, here on the event
    # loop; only one to read goes to the threadpool (`page_cache`). The parts as one
    # dependency: each one more is resolved on every request.
    queue, pages, now = parts.queue, parts.pages, parts.application.clock.now()
    key = (visibility(principal.role, principal.sub), tuple(vars(filters).values()))
    body = pages.get(key, queue.version, now.timestamp())
    if body is None:
        body = await run_in_threadpool(_kept, queue, pages, key, principal, filters, now)
    return Response(body, media_type="application/json")


def _kept(queue: QueueView, pages: PageCache, key: Hashable, principal: Principal,
          filters: QueueFilters, now: datetime) -> bytes:
    body, version, until = _page(queue, now, principal, filters, Narrowing())
    pages.put(key, version, until, body)
    return body


@router.post("/meldingen/search", response_model=QueuePage)
def search_meldingen(
    body: SearchIn,
    queue: QueueView,
    triage: Triage,
    principal: Annotated[Principal, authorized("melding.list")],
) -> Response:
    """The queue's meldingen whose description holds every word of `text` (any case),
    with the same filters, order and need-to-know rule as the queue. A POST, so that
    the words never land in an address or an access log."""
    page, _, _ = _page(queue, triage.clock.now(), principal, body,
                       Narrowing(words=words_of(body.text)))
    return Response(page, media_type="application/json")


def _page(queue: QueueView, now: datetime, principal: Principal, filters: QueueFilters,
          narrowing: Narrowing) -> tuple[bytes, int, float]:
    """The page's body, the queue's version it was read at and the moment until which
    it holds (`Page.version`, `Page.until`)."""
    after = None if filters.cursor is None else _key(filters)
    page = queue.page(
        status=filters.status, theme=filters.theme, overdue=filters.overdue, now=now,
        offset=filters.offset, limit=filters.limit, reader=(principal.role, principal.sub),
        flagged=filters.flagged, sort=filters.sort,
        narrowing=Narrowing(kind=filters.kind, channel=filters.channel,
                            severity=filters.severity, reply_unread=filters.reply_unread,
                            closing_feedback_due=filters.closing_feedback_due,
                            words=narrowing.words), after=after)
    more = page.more if page.more is not None else (
        filters.offset + len(page.rows) < page.total)
    last = page.rows[-1] if page.rows and more and filters.sort == "received" else None
    body = page_json(page.rows, now, total=page.total, offset=filters.offset,
                     limit=filters.limit, next_cursor=_cursor(last) if last else None)
    return body, page.version, page.until


def _cursor(row: dict[str, Any]) -> str:
    """The cursor after this row: its key (`Key`), its time as stored (isoformat)."""
    return urlsafe_b64encode(f"{row['received_at']} {row['id']}".encode()).decode()


def _key(filters: QueueFilters) -> Key:
    """The key a `cursor` names; 422 for one this queue did not give out."""
    if filters.sort != "received" or filters.offset:
        raise InvalidInput("A cursor pages in order of receipt, in place of an offset: "
                           "leave out sort and offset.", field="cursor")
    try:
        received_at, melding_id = urlsafe_b64decode(
            (filters.cursor or "").encode()).decode().split(" ")
        key = (datetime.fromisoformat(received_at), UUID(melding_id))
    except ValueError:
        raise InvalidInput("Not a cursor from this queue's next_cursor.",
                           field="cursor") from None
    if key[0].tzinfo is None:
        raise InvalidInput("Not a cursor from this queue's next_cursor.", field="cursor")
    return key
