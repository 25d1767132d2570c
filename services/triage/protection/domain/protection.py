"""Protection against disadvantage (benadeling) for one melding, beside the melding
itself: the persons it protects (the reporter, helpers, witnesses), the complaints of
reprisal against them with their handling, and the meldpunt's check-ins after the
closing (Wet bescherming klokkenluiders; EU 2019/1937 art. 19-21).

Which step is allowed in which status of the melding is `procedure.TRANSITIONS`; each
command is given the melding's status and checks it there before it records anything.
Every event names its melding, whose key keeps the names and texts it carries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.triage.domain.procedure import Status, check_step
from shared.errors import Conflict, InvalidInput, NotFound
from shared.names import normalised
from shared.terms import local_date

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:triage:protection")


class Protection(Aggregate):
    """Its id follows from the melding's, so two first writers cannot make two."""

    if TYPE_CHECKING:  # the event classes `@event` creates, as the checker sees them
        PersonProtected: ClassVar[type[Any]]
        ComplaintRecorded: ClassVar[type[Any]]
        ComplaintHandled: ClassVar[type[Any]]
        CheckedIn: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(melding_id))

    @event("Started")
    def __init__(self, melding_id: UUID) -> None:
        self.melding_id = melding_id
        self.persons: list[dict[str, Any]] = []
        self.complaints: list[dict[str, Any]] = []
        self.check_ins: list[dict[str, Any]] = []

    # -- commands: check, then record -------------------------------------------------

    def protect(self, *, name: str, role: str, note: str, status: Status, by: str,
                at: datetime) -> str:
        """Mark a person to protect; their id (a number within the melding)."""
        check_step("protect_person", status)
        if any(normalised(p["name"]) == normalised(name) and p["role"] == role
               for p in self.persons):
            raise Conflict("This person is already marked to protect in this role.",
                           field="name")
        person_id = str(len(self.persons) + 1)
        self._protected(person_id=person_id, name=name, role=role, note=note, by=by, at=at,
                        melding_id=self.melding_id)
        return person_id

    def record_complaint(self, *, person_id: str, description: str, received_on: date,
                         status: Status, by: str, at: datetime) -> str:
        """A complaint of reprisal by (or about) a protected person; its id."""
        check_step("record_reprisal_complaint", status)
        if not any(p["person_id"] == person_id for p in self.persons):
            raise InvalidInput("Name one of the melding's persons to protect (mark them "
                               "first).", field="person_id")
        if received_on > local_date(at):
            raise InvalidInput("A complaint cannot be received in the future.",
                               field="received_on")
        complaint_id = str(len(self.complaints) + 1)
        self._complaint_recorded(complaint_id=complaint_id, person_id=person_id,
                                 description=description, received_on=received_on, by=by,
                                 at=at, melding_id=self.melding_id)
        return complaint_id

    def handle_complaint(self, *, complaint_id: str, outcome: str, motivation: str,
                         measures: str, status: Status, by: str, at: datetime) -> None:
        """How the complaint was handled, motivated; once per complaint."""
        check_step("handle_reprisal_complaint", status)
        complaint = self.complaint(complaint_id)
        if complaint["handling"] is not None:
            raise Conflict("This complaint of reprisal has been handled already.",
                           state="handled")
        self._complaint_handled(complaint_id=complaint_id, outcome=outcome,
                                motivation=motivation, measures=measures, by=by, at=at,
                                melding_id=self.melding_id)

    def check_in(self, *, notes: str, disadvantage: bool, status: Status, by: str,
                 at: datetime) -> None:
        """The meldpunt checked in with the protected persons after the closing."""
        check_step("record_protection_check_in", status)
        if not self.persons:
            raise Conflict("This melding marks no person to protect: there is no one to "
                           "check in with.")
        self._checked_in(notes=notes, disadvantage=disadvantage, by=by, at=at,
                         melding_id=self.melding_id)

    def complaint(self, complaint_id: str) -> dict[str, Any]:
        for complaint in self.complaints:
            if complaint["complaint_id"] == complaint_id:
                return complaint
        raise NotFound(f"No complaint of reprisal {complaint_id!r} on this melding.")

    # -- events: what happened -----------------------------------------------------------

    @event("PersonProtected")
    def _protected(self, *, person_id: str, name: str, role: str, note: str, by: str,
                   at: datetime, melding_id: UUID) -> None:
        self.persons.append({"person_id": person_id, "name": name, "role": role,
                             "note": note, "by": by, "at": at})

    @event("ComplaintRecorded")
    def _complaint_recorded(self, *, complaint_id: str, person_id: str, description: str,
                            received_on: date, by: str, at: datetime,
                            melding_id: UUID) -> None:
        self.complaints.append({"complaint_id": complaint_id, "person_id": person_id,
                                "description": description, "received_on": received_on,
                                "by": by, "at": at, "handling": None})

    @event("ComplaintHandled")
    def _complaint_handled(self, *, complaint_id: str, outcome: str, motivation: str,
                           measures: str, by: str, at: datetime, melding_id: UUID) -> None:
        self.complaint(complaint_id)["handling"] = {
            "outcome": outcome, "motivation": motivation, "measures": measures, "by": by,
            "at": at}

    @event("CheckedIn")
    def _checked_in(self, *, notes: str, disadvantage: bool, by: str, at: datetime,
                    melding_id: UUID) -> None:
        self.check_ins.append({"notes": notes, "disadvantage": disadvantage, "by": by,
                               "at": at})
