"""The meldpunt's own account of a year, which the annual report includes beside the
figures, as the Nijmegen code's "Rapportage integriteitbeleid" asks: the year's
activities (courses, actions, tightened work processes), the analysis, the intended
actions, and a summary of the investigations' conclusions (reporting receives a
conclusion's kind only, never a report's words, so the summary is the meldpunt's).

One aggregate per year; each part can be rewritten, every version stays in the
aggregate's history, and the report shows the latest.
"""

from __future__ import annotations

from typing import Any, Literal, get_args
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidInput

Part = Literal["activities", "analysis", "intended_actions", "conclusions"]
PARTS: tuple[str, ...] = get_args(Part)
#: A few pages of text: enough for a year's account, short of a dumped file.
MAX_CHARACTERS = 20_000


class AnnualAccount(Aggregate):
    @staticmethod
    def create_id(year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"meldingen:reporting:annual-account:{year}")

    class Written(Aggregate.Event):
        part: str
        text: str
        by: str
        at: str

    @event("Opened")
    def __init__(self, year: int) -> None:
        self.year = year
        #: Per part, its latest version: {"text", "written_at", "version"}.
        self.parts: dict[str, dict[str, Any]] = {}

    def write(self, part: str, text: str, by: str, at: str, this_year: int) -> bool:
        """Write a part anew; False if it already says exactly this. Refused for a
        year that has not begun, an unknown part, or an empty or overlong text."""
        if self.year > this_year:
            raise InvalidInput(f"The account of {self.year} can be written once that year "
                               "has begun.", field="year")
        if part not in PARTS:
            raise InvalidInput(f"A part is one of {', '.join(PARTS)}.", field="part")
        text = text.strip()
        if not text:
            raise InvalidInput("Write the text of this part.", field="text")
        if len(text) > MAX_CHARACTERS:
            raise InvalidInput(f"At most {MAX_CHARACTERS} characters.", field="text")
        if self.parts.get(part, {}).get("text") == text:
            return False
        self._written(part=part, text=text, by=by, at=at)
        return True

    @event(Written)
    def _written(self, part: str, text: str, by: str, at: str) -> None:
        version = self.parts.get(part, {}).get("version", 0) + 1
        self.parts[part] = {"text": text, "written_at": at, "version": version}

    def published(self) -> dict[str, dict[str, Any] | None]:
        """Every part, None where nothing is written yet."""
        return {part: self.parts.get(part) for part in PARTS}
