"""Integration events the console publishes about staff accounts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from shared.contracts.base import IntegrationEvent
from shared.roles import Role


class StaffMemberAdded(IntegrationEvent):
    """console -> triage, investigation: a person joined the staff directory (for
    routing: who has which function, and who reports to whom)."""

    type: ClassVar[str] = "staff_member_added"

    sub: str
    name: str
    email: str
    roles: list[Role]
    function: str | None
    reports_to: str | None
    by: str
    at: datetime


class StaffRolesChanged(IntegrationEvent):
    """console -> triage, investigation: a staff member's roles now."""

    type: ClassVar[str] = "staff_roles_changed"

    sub: str
    roles: list[Role]
    by: str
    at: datetime


class StaffMemberDisabled(IntegrationEvent):
    """console -> triage, investigation: the account may no longer be used."""

    type: ClassVar[str] = "staff_member_disabled"

    sub: str
    by: str
    at: datetime
