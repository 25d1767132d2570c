"""Domain errors shared by every service; the web layer maps each to one HTTP status.

Plain Python on purpose: domain modules import these and nothing else from outside.
"""

from __future__ import annotations

from datetime import datetime

from shared.terms import local_date


class DomainError(Exception):
    """A command the domain refuses. `detail` is safe to show to the caller."""

    status = 400
    title = "Request refused"
    #: The problem's `type` (RFC 9457): a stable name where a client may act on it.
    type = "about:blank"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not found"


class InvalidTransition(DomainError):
    """The step is not allowed in the current state; the state is named in the answer."""

    status = 409
    title = "Not allowed in the current state"

    def __init__(self, detail: str, *, state: str, **extra: object) -> None:
        super().__init__(detail, state=state, **extra)
        self.state = state


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class InvalidInput(DomainError):
    """Input that passed the schema but not the domain's rules (a field is named)."""

    status = 422
    title = "Invalid input"

    def __init__(self, detail: str, *, field: str, **extra: object) -> None:
        super().__init__(detail, errors=[{"field": field, "message": detail}], **extra)
        self.field = field


class Unavailable(DomainError):
    """A dependency (the event store) cannot take the request now; nothing was stored."""

    status = 503
    title = "Service unavailable"


class DamagedRecord(DomainError):
    """A stored event of this aggregate cannot be read (a damaged disk, an altered
    row): the aggregate is unavailable until an operator restores it; the rest is
    served. The detail names no content."""

    status = 500
    title = "This melding's record is damaged"
    type = "urn:meldingen:problem:damaged-record"

    def __init__(self, originator_id: str, version: int) -> None:
        super().__init__("A stored event of this record cannot be read; an operator must "
                         "restore it. Nothing was changed.")
        self.originator_id = originator_id
        self.version = version


class Shredded(DomainError):
    """The melding's key was destroyed when its retention term ended: its content can
    no longer be read, anywhere. The answer says when, and nothing of the content."""

    status = 410
    title = "Shredded after its retention term"
    type = "urn:meldingen:problem:shredded"

    def __init__(self, melding_id: str, shredded_at: datetime, term: str | None) -> None:
        day = local_date(shredded_at).isoformat()
        super().__init__(f"This melding's content was destroyed on {day}, when its "
                         "retention term ended.", shredded_on=day)
        self.melding_id = melding_id
        self.shredded_at = shredded_at
        self.term = term
