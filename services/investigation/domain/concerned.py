"""The person concerned (betrokkene) in a case, as the law asks (Wbk art. 22, EU
2019/1937): presumed innocent, informed (or, for the investigation's sake and with a
reason, not yet: until a date), heard before the decision, free to ask to see the
file, and told the outcome. The case records who did each and when; the person
concerned is no user of the system."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from services.investigation.domain.procedure import Procedure, required
from shared.errors import Conflict, InvalidInput, NotFound
from shared.terms import local_date


def _not_after(day: date, at: datetime, field: str) -> None:
    if day > local_date(at):
        raise InvalidInput("A date in the future cannot have happened yet.", field=field)


class PersonConcerned(Procedure):
    if TYPE_CHECKING:
        PersonConcernedInformed: ClassVar[type[Any]]
        InformingPostponed: ClassVar[type[Any]]
        HearingRecorded: ClassVar[type[Any]]
        FileRequested: ClassVar[type[Any]]
        FileRequestAnswered: ClassVar[type[Any]]
        OutcomeTold: ClassVar[type[Any]]
        informed: dict[str, Any] | None
        postponements: list[dict[str, Any]]
        hearings: list[dict[str, Any]]
        file_requests: list[dict[str, Any]]
        outcome_told: dict[str, Any] | None

    def _init_concerned(self) -> None:
        self.informed = None
        self.postponements = []
        self.hearings = []
        self.file_requests = []
        self.outcome_told = None

    def inform_person_concerned(self, *, informed_on: date, informed_by: str, by: str,
                                at: datetime) -> None:
        self._check("inform_person_concerned")
        if self.informed is not None:
            raise Conflict("The person concerned was informed already.", field="informed_on")
        _not_after(informed_on, at, "informed_on")
        self._person_concerned_informed(informed_on=informed_on,
                                        informed_by=required(informed_by, "informed_by"),
                                        by=by, at=at)

    def postpone_informing(self, *, reason: str, until: date, by: str, at: datetime) -> None:
        """Not yet, in the investigation's interest: why, and until when (a later
        postponement replaces the date; each is kept)."""
        self._check("postpone_informing")
        if self.informed is not None:
            raise Conflict("The person concerned was informed already.", field="until")
        if until <= local_date(at):
            raise InvalidInput("Postpone until a day after today.", field="until")
        self._informing_postponed(reason=required(reason, "reason"), until=until, by=by, at=at)

    @property
    def informing_postponed_until(self) -> date | None:
        if self.informed is not None or not self.postponements:
            return None
        until: date = self.postponements[-1]["until"]
        return until

    def record_hearing(self, *, held_on: date, minutes: str, by: str, at: datetime) -> None:
        self._check("record_hearing")
        self._require_informed("held_on")
        _not_after(held_on, at, "held_on")
        self._hearing_recorded(held_on=held_on, minutes=required(minutes, "minutes"),
                               by=by, at=at)

    def record_file_request(self, *, requested_on: date, by: str, at: datetime) -> str:
        self._check("record_file_request")
        self._require_informed("requested_on")
        _not_after(requested_on, at, "requested_on")
        request_id = str(len(self.file_requests) + 1)
        self._file_requested(request_id=request_id, requested_on=requested_on, by=by, at=at)
        return request_id

    def answer_file_request(self, *, request_id: str, granted: bool, answer: str, by: str,
                            at: datetime) -> None:
        self._check("answer_file_request")
        request = next((r for r in self.file_requests if r["request_id"] == request_id), None)
        if request is None:
            raise NotFound(f"No request {request_id} to see the file in this case.")
        if request["answer"] is not None:
            raise Conflict(f"Request {request_id} was answered already.",
                           request_id=request_id)
        self._file_request_answered(request_id=request_id, granted=granted,
                                    answer=required(answer, "answer"), by=by, at=at)

    def tell_outcome(self, *, told_on: date, by: str, at: datetime) -> None:
        self._check("tell_outcome")
        if self.outcome_told is not None:
            raise Conflict("The person concerned was told the outcome already.",
                           field="told_on")
        self._require_informed("told_on")
        _not_after(told_on, at, "told_on")
        self._outcome_told(told_on=told_on, by=by, at=at)

    def _require_informed(self, field: str) -> None:
        if self.informed is None:
            raise Conflict("Record first that the person concerned was informed.",
                           field=field, state=self.status)

    @event("PersonConcernedInformed")
    def _person_concerned_informed(self, *, informed_on: date, informed_by: str, by: str,
                                   at: datetime) -> None:
        self.informed = {"informed_on": informed_on, "informed_by": informed_by, "by": by,
                         "at": at}
        self.history.append({"what": "person concerned informed", "who": by, "at": at})

    @event("InformingPostponed")
    def _informing_postponed(self, *, reason: str, until: date, by: str,
                             at: datetime) -> None:
        self.postponements.append({"reason": reason, "until": until, "by": by, "at": at})
        self.history.append({"what": f"informing the person concerned postponed until "
                                     f"{until.isoformat()}", "who": by, "at": at})

    @event("HearingRecorded")
    def _hearing_recorded(self, *, held_on: date, minutes: str, by: str,
                          at: datetime) -> None:
        self.hearings.append({"held_on": held_on, "minutes": minutes, "by": by, "at": at})
        self.history.append({"what": "person concerned heard", "who": by, "at": at})

    @event("FileRequested")
    def _file_requested(self, *, request_id: str, requested_on: date, by: str,
                        at: datetime) -> None:
        self.file_requests.append({"request_id": request_id, "requested_on": requested_on,
                                   "answer": None, "by": by, "at": at})
        self.history.append({"what": f"request {request_id} to see the file", "who": by,
                             "at": at})

    @event("FileRequestAnswered")
    def _file_request_answered(self, *, request_id: str, granted: bool, answer: str,
                               by: str, at: datetime) -> None:
        request = next(r for r in self.file_requests if r["request_id"] == request_id)
        request["answer"] = {"granted": granted, "text": answer, "by": by, "at": at}
        self.history.append({"what": f"request {request_id} to see the file "
                                     f"{'granted' if granted else 'refused'}", "who": by,
                             "at": at})

    @event("OutcomeTold")
    def _outcome_told(self, *, told_on: date, by: str, at: datetime) -> None:
        self.outcome_told = {"told_on": told_on, "by": by, "at": at}
        self.history.append({"what": "person concerned told the outcome", "who": by,
                             "at": at})
