"""The console application: the staff directory (its commands and what of it leaves
the service), and signing in and enrolling against it. Of the other services' events it
keeps only what its notifier decides from them (`services/console/notifications`): no
melding's content.

Sign-in failures look alike from outside: an unknown login name, a wrong password and a
wrong code get the same answer after the same delay, which grows with the failures of
that login name; after `LOCK_AFTER_FAILURES` in a row the account is locked for a
while. Failures of known accounts are recorded in the store; those of unknown names
are only counted here, in memory, so that they slow down and lock just the same.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import singledispatchmethod
from typing import Any, NoReturn
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.utils import get_topic

from services.console.adapters import totp
from services.console.adapters.links import EnrolmentLink, digest_of
from services.console.adapters.passwords import Passwords
from services.console.domain.staff import (
    ENROLMENT_VALID,
    LOCK_AFTER_FAILURES,
    LOCKED_FOR,
    EnrolmentLinkInvalid,
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
from shared.recorders import all_notifications

STAFF_ADDED = (get_topic(StaffMember.Added),)


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
            # Only the additions are read, the store choosing them: reading every
            # notification for their topic cost the first sign-in after a start a
            # second per 100,000 events of history (issue 23).
            top = self.recorder.max_notification_id() or 0
            if top <= self._indexed:
                return self._subs
            for notification in all_notifications(self.recorder, after=self._indexed or None,
                                                   topics=STAFF_ADDED):
                added: Any = self.mapper.to_domain_event(notification)
                self._subs[added.originator_id] = added.sub
                top = max(top, notification.id)
            self._indexed = top
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

    def still_current(self, known: StaffMember) -> StaffMember | None:
        """`known` while the store holds nothing newer of that member (one indexed
        read, no event decoded), else the member read again (None if gone). Another
        process (the CLI) may have changed the record: the store is asked each time."""
        newer = self.recorder.select_events(known.id, gt=known.version, limit=1)
        return self.find_staff(known.sub) if newer else known

    def find_by_email(self, email: str) -> StaffMember | None:
        wanted = email.strip().casefold()
        return next((m for m in self.staff() if m.email.casefold() == wanted), None)

    def _exists(self, sub: str) -> bool:
        return StaffMember.create_id(sub) in self._catch_up()

    # -- enrolment and sign-in (the checks are in SignIn and Enrolment below) -----------

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


log = logging.getLogger("meldingen.console.signin")
#: The longest a failure is made to wait, however many came before.
MAX_DELAY_FACTOR = LOCK_AFTER_FAILURES
#: How long a right password waits for its code.
PENDING_FOR = timedelta(minutes=5)


class SignInFailed(Exception):
    """Wrong, unknown or locked: `locked` says whether the name is locked now."""

    def __init__(self, *, locked: bool = False) -> None:
        super().__init__("sign-in failed")
        self.locked = locked


@dataclass
class _Unknown:
    failures: int = 0
    locked_until: datetime | None = None


class SignIn:
    def __init__(self, app: ConsoleApplication, passwords: Passwords, *,
                 failure_delay: float) -> None:
        self.app = app
        self.passwords = passwords
        self.failure_delay = failure_delay
        self._unknown: dict[str, _Unknown] = {}
        self._lock = threading.Lock()

    async def check_password(self, login: str, password: str) -> str:
        """The login name whose password this is (then the code is asked), or
        SignInFailed."""
        member = self.app.find_staff(login)
        stored = member.password_hash if member is not None else None
        right = await asyncio.to_thread(self.passwords.verify, stored, password)
        if member is None:
            await self._unknown_failure(login)
        now = self.app.clock.now()
        if not member.may_sign_in(now):
            await self._fail(member, "password", count=False)
        if not right:
            await self._fail(member, "password")
        return str(member.sub)

    async def check_code(self, sub: str, code: str) -> StaffMember:
        member = self.app.find_staff(sub)
        if member is None or member.totp_secret is None:
            raise SignInFailed
        now = self.app.clock.now()
        if not member.may_sign_in(now):
            await self._fail(member, "code", count=False)
        step = totp.matching_step(member.totp_secret, code, now)
        if step is None or not member.code_step_is_new(step):
            await self._fail(member, "code")
        return self._signed_in(member, step, "password")

    def signed_in_elsewhere(self, member: StaffMember, method: str) -> StaffMember:
        """An identity provider vouched for the person (OIDC): recorded alike."""
        return self._signed_in(member, None, method)

    def _signed_in(self, member: StaffMember, step: int | None, method: str) -> StaffMember:
        def record(m: StaffMember) -> None:
            m.check_active()
            m.signed_in(step, method, at=self.app.clock.now())

        return self.app.update_member(member.id, record)

    async def _fail(self, member: StaffMember, stage: str, *, count: bool = True) -> NoReturn:
        now = self.app.clock.now()
        if count and member.may_sign_in(now):
            member = await asyncio.to_thread(self.app.update_member, member.id,
                                              lambda m: m.sign_in_failed(stage, at=now))
        locked = member.locked_until is not None and now < member.locked_until
        log.warning("sign-in failed", extra={"stage": stage, "locked": locked})
        await self._slow_down(member.failures if not locked else MAX_DELAY_FACTOR)
        raise SignInFailed(locked=locked)

    async def _unknown_failure(self, login: str) -> NoReturn:
        now = self.app.clock.now()
        with self._lock:
            entry = self._unknown.setdefault(login.strip().casefold(), _Unknown())
            if entry.locked_until is None or now >= entry.locked_until:
                entry.failures += 1
                if entry.failures >= LOCK_AFTER_FAILURES:
                    entry.locked_until, entry.failures = now + LOCKED_FOR, 0
            locked = entry.locked_until is not None and now < entry.locked_until
            failures = entry.failures
        log.warning("sign-in failed", extra={"stage": "password", "locked": locked})
        await self._slow_down(failures if not locked else MAX_DELAY_FACTOR)
        raise SignInFailed(locked=locked)

    async def _slow_down(self, failures: int) -> None:
        await asyncio.sleep(self.failure_delay * max(1, min(failures, MAX_DELAY_FACTOR)))


@dataclass(frozen=True)
class EnrolmentProblem(Exception):
    """The fields that will not do, each with its reason."""

    errors: dict[str, str]


class Enrolment:
    def __init__(self, app: ConsoleApplication, passwords: Passwords) -> None:
        self.app = app
        self.passwords = passwords

    def open(self, link: EnrolmentLink | None) -> StaffMember:
        """The person this link enrols, or EnrolmentLinkInvalid (used, expired, unknown)."""
        if link is None:
            raise EnrolmentLinkInvalid("This enrolment link is not valid.", state="unknown")
        try:
            member = self.app.get_by_id(link.member_id)
        except NotFound:
            raise EnrolmentLinkInvalid("This enrolment link is not valid.",
                                       state="unknown") from None
        member.check_enrolment_link(link.digest, self.app.clock.now())
        return member

    def complete(self, link: EnrolmentLink | None, *, password: str, totp_secret: str,
                 code: str) -> StaffMember:
        member = self.open(link)
        assert link is not None
        errors: dict[str, str] = {}
        problem = self.passwords.problem(
            password, hints=[member.sub, member.name, member.email, "meldingen"])
        if problem:
            errors["password"] = problem
        step = totp.matching_step(totp_secret, code, self.app.clock.now())
        if step is None:
            errors["code"] = "wrong_code"
        if errors:
            raise EnrolmentProblem(errors)
        assert step is not None
        password_hash = self.passwords.hash(password)
        digest = digest_of(link.secret)

        def enrol(m: StaffMember) -> None:
            m.check_enrolment_link(digest, self.app.clock.now())
            m.enrol(password_hash, totp_secret, step, at=self.app.clock.now())

        return self.app.update_member(member.id, enrol)
