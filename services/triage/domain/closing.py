"""How triage's `Report` moves and closes, and what the reporter is told: the table's
steps, the messages and feedback for the mailbox, and the closing feedback the meldpunt
owes once the melding closes. The closing no longer sends a text of its own: it records
the feedback as due, with the template's start in the reporter's language and what the
competent authority or investigation wrote beside it as advice, and the meldpunt's own
text is what reaches the mailbox (`give_closing_feedback`, once)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.triage.domain.procedure import TRANSITIONS, Status, check_step
from services.triage.domain.retention import Retained, closing_outcome
from shared.contracts import ClosingReason, RetentionOutcome
from shared.errors import Conflict


class Closing(Retained):
    """The closing side of triage's `Report` (its base class)."""

    if TYPE_CHECKING:  # the event classes `@event` creates, and Report's own state
        status: Status
        messages: list[dict[str, Any]]
        feedback_at: datetime | None
        closing_feedback: dict[str, Any] | None

        # Report's own events: defined there, so that they keep Report's topics.
        def _messaged(self, *, body: str, purpose: str, by: str, at: datetime) -> None: ...

        def _closed(self, *, reason: ClosingReason, by: str, at: datetime,
                    outcome: RetentionOutcome | None = None, start: str = "",
                    advice: str | None = None) -> None: ...

    @property
    def steps(self) -> list[str]:
        """The commands the table allows in the current status (what a page offers)."""
        return [command for command, moves in TRANSITIONS.items() if self.status in moves]

    def _check(self, command: str) -> None:
        check_step(command, self.status)

    def _advance(self, command: str) -> None:
        self.status = TRANSITIONS[command][self.status]

    def close(self, *, reason: ClosingReason, start: str, advice: str | None, by: str,
              at: datetime, outcome: RetentionOutcome | None = None) -> None:
        """Close; the closing feedback is then due from the meldpunt, from `start` (the
        template) with `advice` beside it. `outcome`: its retention term's."""
        self._check("close")
        self._closed(reason=reason, by=by, at=at, outcome=closing_outcome(reason, outcome),
                     start=start, advice=advice)

    def give_closing_feedback(self, *, body: str, by: str, at: datetime) -> None:
        """The meldpunt's closing feedback, once, for the reporter's mailbox."""
        self._check("give_closing_feedback")
        if self.closing_feedback is None or self.closing_feedback["given_at"] is not None:
            raise Conflict("This melding's closing feedback was already given.")
        self._messaged(body=body, purpose="feedback", by=by, at=at)
