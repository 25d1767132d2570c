"""Which measures go together: `none` stands alone, and a measure on a person is not a
measure on a process (and the other way around)."""

from __future__ import annotations

from typing import Any, Final

from shared.errors import InvalidInput

ON_PERSONS_ONLY: Final = frozenset({"written_reprimand", "suspension", "dismissal",
                                    "summary_dismissal"})
ON_PROCESSES_ONLY: Final = frozenset({"process_change"})


def check_measures(measures: list[dict[str, Any]]) -> None:
    if not measures:
        raise InvalidInput("Name at least one measure, or the measure 'none'.", field="measures")
    kinds = [m["kind"] for m in measures]
    if "none" in kinds and len(kinds) > 1:
        raise InvalidInput("'none' cannot be combined with other measures.", field="measures")
    for index, measure in enumerate(measures):
        target, kind = measure["target"], measure["kind"]
        if (target == "process" and kind in ON_PERSONS_ONLY) or (
            target == "person" and kind in ON_PROCESSES_ONLY
        ):
            raise InvalidInput(f"A {kind} is not a measure on a {target}.",
                               field=f"measures.{index}.kind")
