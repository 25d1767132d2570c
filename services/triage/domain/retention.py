"""What retention asks of triage's melding (docs/privacy.md, "Retention and
crypto-shredding"): how it closed, a legal hold the meldpunt placed or lifted, and
its shredding. Whether a melding is due is `shared.retention`'s rule alone; this
records the hold and the shredding as events of the melding, in its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate, event

from shared.contracts import ClosingReason, RetentionOutcome
from shared.errors import Conflict, InvalidInput, Shredded
from shared.retention import (
    LegalHold,
    MeldingRetention,
    RetentionError,
    RetentionTerms,
    retention_outcome,
)


def closing_outcome(reason: ClosingReason,
                    outcome: RetentionOutcome | None = None) -> RetentionOutcome:
    """The outcome a closing counts its term for. A case closed before the closing
    kept the case's path and measures is given the longest term: what it was is no
    longer known here, and keeping it too long can be corrected, too short not."""
    if outcome is not None:
        return outcome
    if reason == "case_closed":
        return "investigation_with_measures"
    return retention_outcome(reason)


class Retained(Aggregate):
    """The retention side of triage's `Report` (its base class)."""

    if TYPE_CHECKING:  # the event classes `@event` creates, and Report's own state
        HoldPlaced: ClassVar[type[Any]]
        HoldLifted: ClassVar[type[Any]]
        Shredded: ClassVar[type[Any]]
        history: list[dict[str, Any]]
        closure: dict[str, Any] | None
        hold: dict[str, Any] | None
        shredded: dict[str, Any] | None

    # Class defaults, unannotated (an annotation would make them arguments of the
    # created event): a melding stored before holds existed has neither.
    hold = None
    shredded = None

    def retention(self) -> MeldingRetention:
        closure = self.closure
        hold = self.hold
        return MeldingRetention(
            str(self.id),
            closed_at=closure["at"] if closure else None,
            outcome=closing_outcome(closure["reason"], closure.get("outcome"))
            if closure else None,
            hold=LegalHold(hold["motivation"], hold["placed_by"], hold["placed_at"])
            if hold else None,
            shredded_at=self.shredded["at"] if self.shredded else None)

    def place_hold(self, *, motivation: str, by: str, at: datetime) -> None:
        """A court case or a complaint needs the file: it is not shredded meanwhile."""
        self.check_unshredded()
        try:
            self.retention().held(motivation, by, at)
        except RetentionError as refused:
            raise _refusal(refused) from None
        self._hold_placed(motivation=motivation.strip(), by=by, at=at)

    def lift_hold(self, *, motivation: str, by: str, at: datetime) -> None:
        self.check_unshredded()
        try:
            self.retention().released(motivation)
        except RetentionError as refused:
            raise _refusal(refused) from None
        self._hold_lifted(motivation=motivation.strip(), by=by, at=at)

    def due_on(self, day: date, terms: RetentionTerms) -> RetentionOutcome | None:
        """The outcome whose term has passed by `day`, if it is due (not held, not
        shredded yet), else None."""
        retention = self.retention()
        return retention.outcome if retention.due_on(day, terms) else None

    def shred(self, *, term: RetentionOutcome, at: datetime) -> None:
        """Record the shredding (its key is destroyed already): the day and the term,
        nothing of the content."""
        self._shredded(term=term, at=at)

    def check_unshredded(self) -> None:
        """`Shredded` (410 with the day) for a shredded melding: nothing to show or do."""
        if self.shredded is not None:
            raise Shredded(str(self.id), self.shredded["at"], self.shredded["term"])

    @event("HoldPlaced")
    def _hold_placed(self, *, motivation: str, by: str, at: datetime) -> None:
        self.hold = {"motivation": motivation, "placed_by": by, "placed_at": at}
        self.history.append({"what": "legal hold placed", "who": by, "at": at,
                             "motivation": motivation})

    @event("HoldLifted")
    def _hold_lifted(self, *, motivation: str, by: str, at: datetime) -> None:
        self.hold = None
        self.history.append({"what": "legal hold lifted", "who": by, "at": at,
                             "motivation": motivation})

    @event("Shredded")
    def _shredded(self, *, term: RetentionOutcome, at: datetime) -> None:
        self.shredded = {"at": at, "term": term}
        self.history.append({"what": f"shredded ({term})", "who": "retention", "at": at})
        # What was read of the content goes from memory too; the API shows none of it.
        for name, empty in (("description", ""), ("involved", []), ("identity", None),
                            ("messages", []), ("proposed_feedback", "")):
            setattr(self, name, empty)


def _refusal(refused: RetentionError) -> InvalidInput | Conflict:
    if refused.field is not None:
        return InvalidInput(str(refused), field=refused.field)
    return Conflict(str(refused), field="hold")
