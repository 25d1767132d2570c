"""A queue page written straight to JSON with orjson from its rows as stored
(`queue_table.entry_json`): the bytes `QueuePage`'s `model_dump_json` writes for the
same page (`tests/unit/test_queue_json.py` holds the two to each other), without
making an entry of each row or building and validating fifty `QueueItem`s first. The
models stay the contract (`response_model`, the OpenAPI document); this is how a
page read from the rows is sent (issue 23: a page not kept spent about half of its
own CPU making and checking objects it then wrote out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from shared.terms import local_date


def _shown(moment: str | None) -> str | None:
    """A stored time (`datetime.isoformat`) as pydantic writes it: UTC as "Z"."""
    if moment is not None and moment.endswith("+00:00"):
        return moment[:-6] + "Z"
    return moment


def _past(moment: str | None, now: datetime) -> bool:
    return moment is not None and datetime.fromisoformat(moment) < now


def page_json(rows: list[dict[str, Any]], now: datetime, *, total: int, offset: int,
              limit: int, next_cursor: str | None) -> bytes:
    """The page's body; each item's fields in `QueueItem`'s order."""
    items = []
    for row in rows:
        acknowledge_by, feedback_by = row["deadlines"]
        meeting, closing, shredded = (row["meeting_due_by"], row["closing_feedback_due_by"],
                                      row["shredded_at"])
        items.append({
            "id": row["id"], "kind": row["kind"], "theme": row["theme"],
            "channel": row["channel"], "anonymous": row["anonymous"],
            "status": row["status"], "received_at": _shown(row["received_at"]),
            "deadlines": {"acknowledge_by": _shown(acknowledge_by),
                          "feedback_by": _shown(feedback_by)},
            "overdue": _past(row["overdue_from"], now),
            "competent_authority": row["authority"], "flagged": row["flagged"],
            "record_status": row["record_status"], "meeting_due_by": _shown(meeting),
            "meeting_overdue": _past(meeting, now), "severity": row["severity"],
            "reply_unread": row["reply_unread"], "closing_feedback_due_by": _shown(closing),
            "closing_feedback_overdue": _past(closing, now),
            "shredded_on": local_date(datetime.fromisoformat(shredded)) if shredded else None,
        })
    return orjson.dumps({"items": items, "total": total, "offset": offset, "limit": limit,
                         "next_cursor": next_cursor})
