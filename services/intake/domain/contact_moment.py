"""A conversation with a confidential adviser, recorded for the annual count only:
which adviser, which theme, which day; never who came or what was said."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidInput


class ContactMoment(Aggregate):
    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        Recorded: ClassVar[type[Any]]

    @classmethod
    def record(cls, *, adviser: str, theme: str, on: date, today: date) -> ContactMoment:
        if on > today:
            raise InvalidInput("A contact moment cannot lie in the future.", field="date")
        return cls(adviser=adviser, theme=theme, on=on)

    @event("Recorded")
    def __init__(self, *, adviser: str, theme: str, on: date) -> None:
        self.adviser = adviser
        self.theme = theme
        self.on = on
