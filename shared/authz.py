"""The authorization table: which staff roles may do which action. One place: every
route declares its action (`shared.deps.authorized`), every finer check in a route or
an application asks `is_allowed`/`require`, and the authorization test walks both.

Per-melding rules (a concerned staff member, an investigator not assigned) come on top
of the table, in the application; the table alone says what a role may do at all."""

from __future__ import annotations

from typing import Final

from shared.errors import Forbidden

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    # intake
    "melding.register_for_reporter": frozenset(
        {"manager", "confidential_adviser", "meldpunt"}
    ),
    "identity.read_sealed": frozenset({"confidential_adviser"}),
    # the record (verslag) of an oral or in-person melding: the staff member who
    # received it writes and reads it; `record.handle_any`: also of any other's
    "record.write": frozenset({"manager", "confidential_adviser", "meldpunt"}),
    "record.handle_any": frozenset({"meldpunt"}),
    "meeting.list": frozenset({"meldpunt"}),
    "meeting.record": frozenset({"meldpunt"}),
    "contact_moment.record": frozenset({"confidential_adviser"}),
    # the mailbox of a reporter whose melding the adviser registered (checked per melding)
    "mailbox.adviser": frozenset({"confidential_adviser"}),
    # triage
    "melding.list": frozenset({"meldpunt", "competent_authority"}),
    "melding.read": frozenset({"meldpunt", "competent_authority"}),
    # a named reporter's identity; an anonymous one's is sealed for the adviser alone
    "melding.read_identity": frozenset({"meldpunt"}),
    "melding.assess": frozenset({"meldpunt"}),
    "melding.decide": frozenset({"competent_authority"}),
    "melding.message_reporter": frozenset({"meldpunt"}),
    # investigation
    "case.read": frozenset({"investigator", "competent_authority"}),
    # every case, not only those one is assigned to
    "case.read_all": frozenset({"competent_authority"}),
    "case.assign_investigators": frozenset({"competent_authority"}),
    "case.record_conversation": frozenset({"competent_authority"}),
    "case.investigate": frozenset({"investigator"}),
    "case.take_measures": frozenset({"competent_authority"}),
    # reporting
    "report.read": frozenset({"auditor", "competent_authority"}),
    # the meldpunt's written account of a year (activities, analysis, intended actions)
    "report.write_account": frozenset({"meldpunt"}),
    "audit.replay": frozenset({"auditor"}),
    "audit.verify": frozenset({"auditor"}),
    # console
    "staff.manage": frozenset({"administrator"}),
}


def check_action(action: str) -> str:
    """`action`, if it is one of the table's (a KeyError otherwise, when a route declares it)."""
    if action not in PERMISSIONS:
        raise KeyError(f"{action!r} is not an action of shared.authz")
    return action


def is_allowed(role: str, action: str) -> bool:
    """Whether `role` may do `action`; a KeyError for an action not in the table."""
    return role in PERMISSIONS[action]


def require(role: str, action: str) -> None:
    """Forbidden (403) unless `role` may do `action`."""
    if not is_allowed(role, action):
        raise Forbidden(f"The role {role!r} may not do {action!r}.", action=action)
