"""The authorization table: which staff roles may do which action. One place, used by
every route (through `shared.deps.authorized`) and walked by the authorization test."""

from __future__ import annotations

from typing import Final

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    # intake
    "melding.register_for_reporter": frozenset(
        {"manager", "confidential_adviser", "meldpunt"}
    ),
    "identity.read_sealed": frozenset({"confidential_adviser"}),
    "contact_moment.record": frozenset({"confidential_adviser"}),
    # triage
    "melding.list": frozenset({"meldpunt", "competent_authority"}),
    "melding.read": frozenset({"meldpunt", "competent_authority"}),
    "melding.assess": frozenset({"meldpunt"}),
    "melding.decide": frozenset({"competent_authority"}),
    "melding.message_reporter": frozenset({"meldpunt"}),
    # investigation
    "case.read": frozenset({"investigator", "competent_authority"}),
    "case.assign_investigators": frozenset({"competent_authority"}),
    "case.record_conversation": frozenset({"competent_authority"}),
    "case.investigate": frozenset({"investigator"}),
    "case.take_measures": frozenset({"competent_authority"}),
    # reporting
    "report.read": frozenset({"auditor", "competent_authority"}),
    "audit.replay": frozenset({"auditor"}),
    "audit.verify": frozenset({"auditor"}),
}


def is_allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS[action]
