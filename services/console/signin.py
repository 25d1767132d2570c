"""Signing in with a password and a second factor, and enrolling for both.

Every failure looks alike from outside: an unknown login name, a wrong password and a
wrong code get the same answer after the same delay, which grows with the failures of
that login name; after `LOCK_AFTER_FAILURES` in a row the account is locked for a
while. Failures of known accounts are recorded in the store; those of unknown names
are only counted here, in memory, so that they slow down and lock just the same.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from services.console.adapters import totp
from services.console.adapters.links import EnrolmentLink, digest_of
from services.console.adapters.passwords import Passwords
from services.console.application import ConsoleApplication
from services.console.domain.staff import (
    LOCK_AFTER_FAILURES,
    LOCKED_FOR,
    EnrolmentLinkInvalid,
    StaffMember,
)
from shared.errors import NotFound

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
