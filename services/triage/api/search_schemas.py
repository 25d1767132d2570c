"""The queue's filters (a GET's query, a search's body) and the search's body."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.triage.domain.procedure import Status
from shared.contracts import Channel, Kind, QueueSort, Severity, Theme


class QueueFilters(BaseModel):
    status: Status | None = None
    kind: Kind | None = None
    theme: Theme | None = None
    channel: Channel | None = None
    severity: Severity | None = Field(None, description="the assessment's severity")
    overdue: bool | None = Field(None, description="only those past a term (true), or "
                                                   "only the others (false)")
    reply_unread: bool | None = Field(
        None, description="only those with a reporter's reply the meldpunt has not "
                          "opened the melding since (true), or only the others (false)")
    flagged: bool | None = Field(
        None, description="only meldingen that wait for the meldpunt to assign a "
                          "competent authority (true), or only the others (false)")
    closing_feedback_due: bool | None = Field(
        None, description="only closed meldingen whose closing feedback the meldpunt "
                          "has still to write (true), or only the others (false)")
    sort: QueueSort = Field("received", description="`received`: oldest first; "
                                                    "`deadline`: the nearest unmet term "
                                                    "first, those with every term met last")
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(
        None, max_length=200,
        description="a page's `next_cursor`: the page after it, found by its key however "
                    "deep (keyset paging; in place of `offset`, with `sort=received`)")


class SearchIn(QueueFilters):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=200)] = Field(
        description="words that must all occur in the description (any case)")
