"""A staff member in the directory: who they are, their roles, function and manager,
their enrolment and second factor, and their failed sign-ins.

Every change records who made it (`by`): a login name, or "cli" for the command line.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidInput, InvalidTransition
from shared.roles import STAFF_ROLES

STAFF_NAMESPACE = UUID("0b5f3a52-6f07-4c53-9a0e-3c1d8e6a7b24")
ENROLMENT_VALID: Final = timedelta(hours=72)
MIN_PASSWORD_LENGTH: Final = 12
#: Consecutive failed sign-ins after which the account is locked, and for how long.
LOCK_AFTER_FAILURES: Final = 5
LOCKED_FOR: Final = timedelta(minutes=15)


class EnrolmentLinkInvalid(InvalidTransition):
    """The link was used already, or has expired: `state` says which."""


def check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise InvalidInput("At least one role is needed.", field="roles")
    unknown = [role for role in roles if role not in STAFF_ROLES]
    if unknown:
        raise InvalidInput(f"Unknown role {unknown[0]!r}; one of {', '.join(STAFF_ROLES)}.",
                           field="roles")
    return list(dict.fromkeys(roles))


def check_sub(sub: str) -> str:
    sub = sub.strip()
    if not sub or len(sub) > 64 or not all(c.isalnum() or c in "._-@" for c in sub):
        raise InvalidInput("A login name is 1-64 letters, digits or . _ - @.", field="sub")
    return sub


class StaffMember(Aggregate):
    if TYPE_CHECKING:  # made by @event below; named here for the type checker
        Added: ClassVar[type[Any]]
        RolesChanged: ClassVar[type[Any]]
        Disabled: ClassVar[type[Any]]

    @staticmethod
    def create_id(sub: str) -> UUID:
        """One member per login name: adding the same sub twice cannot make a twin."""
        return uuid5(STAFF_NAMESPACE, sub.casefold())

    @event("Added")
    def __init__(
        self,
        *,
        sub: str,
        name: str,
        email: str,
        roles: list[str],
        function: str | None,
        reports_to: str | None,
        enrolment_digest: str,
        enrolment_expires: datetime,
        by: str,
        at: datetime,
    ) -> None:
        self.sub = sub
        self.name = name
        self.email = email
        self.roles = roles
        self.function = function
        self.reports_to = reports_to
        self.disabled = False
        self.enrolment_digest: str | None = enrolment_digest
        self.enrolment_expires = enrolment_expires
        self.used_digest: str | None = None
        self.password_hash: str | None = None
        self.totp_secret: str | None = None
        self.last_code_step = -1
        self.failures = 0
        self.locked_until: datetime | None = None
        self.history: list[dict[str, Any]] = [{"change": "added", "by": by, "at": at}]

    # -- the directory ---------------------------------------------------------------

    def check_active(self) -> None:
        if self.disabled:
            raise InvalidTransition("This account is disabled.", state="disabled")

    @event("RolesChanged")
    def change_roles(self, roles: list[str], by: str, at: datetime) -> None:
        self.roles = roles
        self.history.append({"change": "roles", "roles": roles, "by": by, "at": at})

    @event("Disabled")
    def disable(self, by: str, at: datetime) -> None:
        self.disabled = True
        self.history.append({"change": "disabled", "by": by, "at": at})

    @event("EnrolmentReissued")
    def reissue_enrolment(self, enrolment_digest: str, enrolment_expires: datetime, by: str,
                          at: datetime) -> None:
        """A new link (the old one stops working); the person enrols again."""
        self.enrolment_digest = enrolment_digest
        self.enrolment_expires = enrolment_expires
        self.history.append({"change": "enrolment_reissued", "by": by, "at": at})

    # -- enrolment ---------------------------------------------------------------------

    def check_enrolment_link(self, digest: str, now: datetime) -> None:
        if self.disabled:
            raise EnrolmentLinkInvalid("This account is disabled.", state="disabled")
        if self.used_digest is not None and hmac.compare_digest(self.used_digest, digest):
            raise EnrolmentLinkInvalid("This enrolment link was used already.", state="used")
        if self.enrolment_digest is None or not hmac.compare_digest(self.enrolment_digest,
                                                                    digest):
            raise EnrolmentLinkInvalid("This enrolment link is not valid.", state="unknown")
        if now >= self.enrolment_expires:
            raise EnrolmentLinkInvalid("This enrolment link has expired.", state="expired")

    @event("Enrolled")
    def enrol(self, password_hash: str, totp_secret: str, code_step: int, at: datetime) -> None:
        self.used_digest, self.enrolment_digest = self.enrolment_digest, None
        self.password_hash = password_hash
        self.totp_secret = totp_secret
        self.last_code_step = code_step
        self.failures = 0
        self.locked_until = None
        self.history.append({"change": "enrolled", "by": self.sub, "at": at})

    @property
    def enrolled(self) -> bool:
        return self.password_hash is not None

    # -- sign-in -----------------------------------------------------------------------

    def may_sign_in(self, now: datetime) -> bool:
        return (self.enrolled and not self.disabled
                and (self.locked_until is None or now >= self.locked_until))

    def code_step_is_new(self, step: int) -> bool:
        """A code counts once: its time step must come after the last one used."""
        return step > self.last_code_step

    @event("SignedIn")
    def signed_in(self, code_step: int | None, method: str, at: datetime) -> None:
        if code_step is not None:
            self.last_code_step = code_step
        self.failures = 0
        self.locked_until = None

    @event("SignInFailed")
    def sign_in_failed(self, stage: str, at: datetime) -> None:
        """A wrong password or code; after too many in a row the account is locked."""
        self.failures += 1
        if self.failures >= LOCK_AFTER_FAILURES:
            self.locked_until = at + LOCKED_FOR
            self.failures = 0
