"""The console application: the staff directory (its commands and what of it leaves
the service). Of the other services' events it keeps only what its notifier decides
from them (`services/console/notifications`): no melding's content."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.console.domain.staff import (
    ENROLMENT_VALID,
    StaffMember,
    check_roles,
    check_sub,
)
from shared.application import ServiceApplication
from shared.clock import Clock, SystemClock
from shared.contracts import (
    IntegrationEvent,
    StaffMemberAdded,
    StaffMemberDisabled,
    StaffRolesChanged,
)
from shared.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class NewStaffMember:
    sub: str
    name: str
    email: str
    roles: list[str]
    function: str | None = None
    reports_to: str | None = None


class ConsoleApplication(ServiceApplication):
    name = "console"

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        # The directory's login names, read from the notification log as far as it
        # goes whenever asked: the CLI adds people from another process.
        self._subs: dict[UUID, str] = {}
        self._indexed = 0
        self._index_lock = threading.Lock()
        # What reacts to the integration events the inbox applies (the notifier).
        self.reactions: list[Callable[[Any, ProcessingEvent[UUID]], None]] = []

    def _catch_up(self) -> dict[UUID, str]:
        with self._index_lock:
            while True:
                notifications = self.recorder.select_notifications(
                    self._indexed or None, 1000, inclusive_of_start=False)
                for notification in notifications:
                    if notification.topic.endswith("StaffMember.Added"):
                        added: Any = self.mapper.to_domain_event(notification)
                        self._subs[added.originator_id] = added.sub
                    self._indexed = notification.id
                if len(notifications) < 1000:
                    return self._subs

    # -- the directory ---------------------------------------------------------------

    def add_staff(self, new: NewStaffMember, *, enrolment_digest: str, by: str) -> StaffMember:
        sub = check_sub(new.sub)
        roles = check_roles(new.roles)
        if new.reports_to is not None and not self._exists(new.reports_to):
            raise InvalidInput("The manager is not in the directory.", field="reports_to")
        if self._exists(sub):
            raise Conflict(f"The login name {sub!r} is taken.", field="sub")
        now = self.clock.now()
        member = StaffMember(
            sub=sub, name=new.name.strip(), email=new.email.strip(), roles=roles,
            function=(new.function or "").strip() or None, reports_to=new.reports_to,
            enrolment_digest=enrolment_digest, enrolment_expires=now + ENROLMENT_VALID,
            by=by, at=now)
        self.save(member)
        return member

    def change_roles(self, sub: str, roles: list[str], *, by: str) -> StaffMember:
        checked = check_roles(roles)
        return self._update(sub, lambda m: m.change_roles(checked, by=by, at=self.clock.now()))

    def disable(self, sub: str, *, by: str) -> StaffMember:
        def change(member: StaffMember) -> None:
            if not member.disabled:
                member.disable(by=by, at=self.clock.now())

        return self._update(sub, change)

    def reissue_enrolment(self, sub: str, *, enrolment_digest: str, by: str) -> StaffMember:
        def change(member: StaffMember) -> None:
            member.check_active()
            now = self.clock.now()
            member.reissue_enrolment(enrolment_digest, now + ENROLMENT_VALID, by=by, at=now)

        return self._update(sub, change)

    def staff(self) -> list[StaffMember]:
        members: list[StaffMember] = [self.repository.get(member_id)
                                      for member_id in list(self._catch_up())]
        return sorted(members, key=lambda m: m.sub.casefold())

    def get_staff(self, sub: str) -> StaffMember:
        return self.get_by_id(StaffMember.create_id(sub))

    def get_by_id(self, member_id: UUID) -> StaffMember:
        try:
            member: StaffMember = self.repository.get(member_id)
            return member
        except AggregateNotFoundError:
            raise NotFound("No staff member with that login name.") from None

    def find_staff(self, sub: str) -> StaffMember | None:
        try:
            return self.get_staff(sub.strip())
        except NotFound:
            return None

    def find_by_email(self, email: str) -> StaffMember | None:
        wanted = email.strip().casefold()
        return next((m for m in self.staff() if m.email.casefold() == wanted), None)

    def _exists(self, sub: str) -> bool:
        return StaffMember.create_id(sub) in self._catch_up()

    # -- enrolment and sign-in (the checks are in services.console.signin) -----------

    def update_member(self, member_id: UUID, change: Callable[[StaffMember], object]
                      ) -> StaffMember:
        return self.update(lambda: self.get_by_id(member_id), change,
                           conflict="The account was changed at the same time; try again.")

    def _update(self, sub: str, change: Callable[[StaffMember], object]) -> StaffMember:
        return self.update_member(StaffMember.create_id(sub), change)

    # -- policies: handed to the reactions -------------------------------------------

    @singledispatchmethod
    def policy(self, event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        for react in self.reactions:
            react(event, processing_event)

    # -- what leaves the service ---------------------------------------------------------

    def integration_event(self, domain_event: Any) -> IntegrationEvent | None:
        e = domain_event
        if isinstance(e, StaffMember.Added):
            return StaffMemberAdded(sub=e.sub, name=e.name, email=e.email, roles=e.roles,
                                    function=e.function, reports_to=e.reports_to, by=e.by,
                                    at=e.at)
        if not isinstance(e, StaffMember.RolesChanged | StaffMember.Disabled):
            return None
        sub: str = self.repository.get(e.originator_id, version=e.originator_version).sub
        if isinstance(e, StaffMember.RolesChanged):
            return StaffRolesChanged(sub=sub, roles=e.roles, by=e.by, at=e.at)
        if isinstance(e, StaffMember.Disabled):
            return StaffMemberDisabled(sub=sub, by=e.by, at=e.at)
        return None
