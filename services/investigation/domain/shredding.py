"""The shredding of a case when its melding's retention term has passed (triage
decides: docs/privacy.md). The base class of `Case`: the day and the term, nothing of
the content, and `Shredded` (410 with the day) for every view afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate, event

from shared.errors import Shredded


class Shreddable(Aggregate):
    if TYPE_CHECKING:  # the event class `@event` creates, and Case's own state
        Shredded: ClassVar[type[Any]]
        shredded: dict[str, Any] | None
        history: list[dict[str, Any]]

    # `{at, term}` once shredded; a class default, unannotated (else an argument of the
    # created event), for cases stored before shredding existed.
    shredded = None

    def shred(self, *, term: str, at: datetime) -> None:
        """Record the shredding (investigation's key goes in the same commit)."""
        if self.shredded is None:
            self._shredded(term=term, at=at)

    def check_unshredded(self) -> None:
        if self.shredded is not None:
            raise Shredded(str(self.id), self.shredded["at"], self.shredded["term"])

    @event("Shredded")
    def _shredded(self, *, term: str, at: datetime) -> None:
        self.shredded = {"at": at, "term": term}
        self.history.append({"what": f"shredded ({term})", "who": "retention", "at": at})
