"""Interim measures (ordemaatregelen) during an investigation: the competent authority
suspends the person concerned (schorsing), puts them on non-active duty
(non-actiefstelling) or changes their duties, with a motivation, and lifts a measure
again with one. The final measures say of each measure still in force whether they
end it or keep it: none is left in force without a word."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from services.investigation.domain.procedure import Procedure, required
from shared.errors import Conflict, InvalidInput, NotFound

#: How the final measures settle an interim one still in force.
SETTLEMENT_FIELD = "interim_ending"


class InterimMeasures(Procedure):
    if TYPE_CHECKING:
        InterimMeasureTaken: ClassVar[type[Any]]
        InterimMeasureLifted: ClassVar[type[Any]]
        InterimMeasureKept: ClassVar[type[Any]]
        interim_measures: list[dict[str, Any]]

    def _init_interim(self) -> None:
        self.interim_measures = []

    @property
    def interim_in_force(self) -> list[str]:
        """The ids of the interim measures that are neither lifted nor ended."""
        return [m["measure_id"] for m in self.interim_measures if m["lifted"] is None]

    def take_interim_measure(self, *, kind: str, motivation: str, by: str,
                             at: datetime) -> str:
        self._check("take_interim_measure")
        measure_id = str(len(self.interim_measures) + 1)
        self._interim_measure_taken(measure_id=measure_id, kind=kind,
                                    motivation=required(motivation, "motivation"), by=by, at=at)
        return measure_id

    def lift_interim_measure(self, *, measure_id: str, motivation: str, by: str,
                             at: datetime) -> None:
        self._check("lift_interim_measure")
        measure = self._interim(measure_id)
        if measure["lifted"] is not None:
            raise Conflict(f"Interim measure {measure_id} was lifted already.",
                           measure_id=measure_id)
        self._interim_measure_lifted(measure_id=measure_id,
                                     motivation=required(motivation, "motivation"),
                                     by_final_measures=False, by=by, at=at)

    def _settle_interim(self, *, ending: list[str], kept: list[str], by: str,
                        at: datetime) -> None:
        """The final measures end or keep each interim measure still in force; check
        everything before recording anything."""
        in_force = self.interim_in_force
        named = [*ending, *kept]
        strangers = [i for i in named if i not in in_force]
        if strangers:
            raise InvalidInput(f"No interim measure {', '.join(strangers)} is in force.",
                               field=SETTLEMENT_FIELD)
        if len(set(named)) < len(named):
            raise InvalidInput("Name each interim measure once: ended or kept.",
                               field=SETTLEMENT_FIELD)
        unsettled = [i for i in in_force if i not in named]
        if unsettled:
            raise InvalidInput(
                "Say whether the final measures end or keep each interim measure in "
                f"force: {', '.join(unsettled)} (interim_ending or interim_kept).",
                field=SETTLEMENT_FIELD)
        for measure_id in ending:
            self._interim_measure_lifted(measure_id=measure_id, motivation="",
                                         by_final_measures=True, by=by, at=at)
        for measure_id in kept:
            self._interim_measure_kept(measure_id=measure_id, by=by, at=at)

    def _interim(self, measure_id: str) -> dict[str, Any]:
        for measure in self.interim_measures:
            if measure["measure_id"] == measure_id:
                return measure
        raise NotFound(f"No interim measure {measure_id} in this case.")

    @event("InterimMeasureTaken")
    def _interim_measure_taken(self, *, measure_id: str, kind: str, motivation: str,
                               by: str, at: datetime) -> None:
        self.interim_measures.append({
            "measure_id": measure_id, "kind": kind, "motivation": motivation, "by": by,
            "at": at, "lifted": None, "kept": False})
        self.history.append({"what": f"interim measure {measure_id} taken ({kind})",
                             "who": by, "at": at})

    @event("InterimMeasureLifted")
    def _interim_measure_lifted(self, *, measure_id: str, motivation: str,
                                by_final_measures: bool, by: str, at: datetime) -> None:
        measure = self._interim(measure_id)
        measure["lifted"] = {"motivation": motivation, "by_final_measures": by_final_measures,
                             "by": by, "at": at}
        measure["kept"] = False
        what = "ended by the final measures" if by_final_measures else "lifted"
        self.history.append({"what": f"interim measure {measure_id} {what}", "who": by,
                             "at": at})

    @event("InterimMeasureKept")
    def _interim_measure_kept(self, *, measure_id: str, by: str, at: datetime) -> None:
        self._interim(measure_id)["kept"] = True
        self.history.append({"what": f"interim measure {measure_id} kept by the final "
                                     "measures", "who": by, "at": at})
