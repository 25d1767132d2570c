"""The local view of the console's staff directory, kept by triage and investigation.

The console owns the directory and publishes its changes (`staff_*` integration
events). A consuming service records each change as an event of a `StaffEntry` in its
own store (so the inbox applies it exactly once, in order, like any other event), and
a `Directory` view answers the look-ups routing and the investigator check need: who
holds a role, who has a function, whom someone reports to. Login names are looked up
in their `shared.names` form, so `Ivan` and `ivan` with a zero-width space are one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from shared.contracts import StaffMemberAdded, StaffMemberDisabled, StaffRolesChanged
from shared.names import normalised

StaffEvent = StaffMemberAdded | StaffRolesChanged | StaffMemberDisabled


class StaffEntry(Aggregate):
    """One staff member as this service knows them; one per login name."""

    if TYPE_CHECKING:  # made by @event below; named here for the type checker
        Listed: ClassVar[type[Any]]
        RolesChanged: ClassVar[type[Any]]
        Disabled: ClassVar[type[Any]]

    @staticmethod
    def create_id(sub: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"meldingen:staff:{normalised(sub)}")

    @event("Listed")
    def __init__(self, *, sub: str, name: str, email: str, roles: list[str],
                 function: str | None, reports_to: str | None) -> None:
        self.sub = sub
        self.name = name
        self.email = email
        self.roles = roles
        self.function = function
        self.reports_to = reports_to
        self.disabled = False

    @event("RolesChanged")
    def change_roles(self, *, roles: list[str]) -> None:
        self.roles = roles

    @event("Disabled")
    def disable(self) -> None:
        self.disabled = True


def record_staff_event(find: Callable[[UUID, ProcessingEvent[UUID]], Any], event: StaffEvent,
                       processing_event: ProcessingEvent[UUID]) -> None:
    """A policy's work for a console event: `find` is the application's `find`. A
    change for someone not (yet) listed, or a repeated listing, changes nothing."""
    entry: StaffEntry | None = find(StaffEntry.create_id(event.sub), processing_event)
    if isinstance(event, StaffMemberAdded):
        if entry is None:
            processing_event.collect_events(StaffEntry(
                sub=event.sub, name=event.name, email=event.email, roles=list(event.roles),
                function=event.function, reports_to=event.reports_to))
        return
    if entry is None:
        return
    if isinstance(event, StaffRolesChanged):
        entry.change_roles(roles=list(event.roles))
    elif not entry.disabled:
        entry.disable()
    processing_event.collect_events(entry)


#: The topics of `StaffEntry`'s events: what a `Directory` reads from the store.
STAFF_TOPICS = tuple(get_topic(cls) for cls in (
    StaffEntry.Listed, StaffEntry.RolesChanged, StaffEntry.Disabled))


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    roles: tuple[str, ...]
    function: str | None
    reports_to: str | None
    active: bool


class Directory:
    """The view: fed every `StaffEntry` event (`ServiceApplication.feed`)."""

    def __init__(self) -> None:
        self._people: dict[str, Person] = {}
        self._keys: dict[UUID, str] = {}  # entry id -> normalised login name
        self._lock = threading.Lock()

    def apply(self, domain_event: Any) -> None:
        with self._lock:
            if isinstance(domain_event, StaffEntry.Listed):
                e = domain_event
                key = normalised(e.sub)
                self._keys[e.originator_id] = key
                self._people.setdefault(key, Person(
                    sub=e.sub, name=e.name, roles=tuple(e.roles), function=e.function,
                    reports_to=e.reports_to, active=True))
                return
            if not isinstance(domain_event, StaffEntry.RolesChanged | StaffEntry.Disabled):
                return
            found = self._keys.get(domain_event.originator_id)
            if found is None:
                return
            key = found
            person = self._people[key]
            if isinstance(domain_event, StaffEntry.RolesChanged):
                self._people[key] = replace(person, roles=tuple(domain_event.roles))
            else:
                self._people[key] = replace(person, active=False)

    def find(self, sub: str) -> Person | None:
        """The active staff member with this login name (compared normalised)."""
        with self._lock:
            person = self._people.get(normalised(sub))
        return person if person is not None and person.active else None

    def knows(self, sub: str) -> bool:
        """Whether this login name was ever listed (a disabled account included)."""
        with self._lock:
            return normalised(sub) in self._people

    def with_function(self, function: str) -> list[Person]:
        """The active holders of a function, in order of login name."""
        with self._lock:
            people = [p for p in self._people.values()
                      if p.active and p.function is not None
                      and normalised(p.function) == normalised(function)]
        return sorted(people, key=lambda p: normalised(p.sub))

