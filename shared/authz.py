"""The authorization table: which staff roles may do which action. One place: every
route declares its action (`shared.deps.authorized`), every finer check in a route or
an application asks `is_allowed`/`require`, and the authorization test walks both.

Per-melding rules come on top of the table, and live here too (`may_see`,
`acts_as_competent_authority`), for every service alike: a staff member concerned in a
melding or recused from it does not see it at all; the competent authority role sees
only the meldingen assigned to its holder; an investigator only their own cases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from shared.errors import Forbidden
from shared.names import normalised

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
    # the meldingen one registered oneself (ids and dates)
    "registration.list_own": frozenset({"manager", "confidential_adviser", "meldpunt"}),
    # every fetch of a sealed identity: who, which melding, when
    "identity.list_reveals": frozenset({"confidential_adviser", "auditor"}),
    # the mailbox of a reporter whose melding the adviser registered (checked per melding)
    "mailbox.adviser": frozenset({"confidential_adviser"}),
    # triage
    "melding.list": frozenset({"meldpunt", "competent_authority"}),
    "melding.read": frozenset({"meldpunt", "competent_authority"}),
    # a named reporter's identity; an anonymous one's is sealed for the adviser alone
    "melding.read_identity": frozenset({"meldpunt"}),
    # the reporter's files (listed, downloaded: each download recorded), per melding
    # for whom `may_see` lets see it
    "melding.read_attachments": frozenset({"meldpunt", "competent_authority"}),
    # ... and, once the reporter consents, whoever of these the melding is for
    # (its competent authority, its case's investigators: `may_read_identity`)
    "melding.read_identity_with_consent": frozenset({"competent_authority", "investigator"}),
    "melding.assess": frozenset({"meldpunt"}),
    "melding.decide": frozenset({"competent_authority"}),
    "melding.reopen": frozenset({"competent_authority"}),
    "melding.record_police_report": frozenset({"meldpunt", "competent_authority"}),
    "melding.message_reporter": frozenset({"meldpunt"}),
    # the closing feedback is the meldpunt's own words, whoever closed the melding
    "melding.give_closing_feedback": frozenset({"meldpunt"}),
    # opening a melding marks the reporter's replies read: only the meldpunt's opening
    "melding.mark_replies_read": frozenset({"meldpunt"}),
    # internal notes on a melding, for staff only (the competent authority: its own)
    "melding.write_note": frozenset({"meldpunt", "competent_authority"}),
    # hand a melding to another competent authority, with a motivation
    "melding.reassign": frozenset({"meldpunt"}),
    # protection against disadvantage: mark persons to protect, record complaints of
    # reprisal and the check-ins after the closing; the melding's competent authority
    # handles a complaint (`acts_as_competent_authority`)
    "melding.protect": frozenset({"meldpunt"}),
    "melding.handle_reprisal_complaint": frozenset({"competent_authority"}),
    # place and lift a legal hold (a court case, a complaint): never shredded meanwhile
    "melding.hold": frozenset({"meldpunt"}),
    # shred now what the daily check would (`meldingen retention run`): ids and dates only
    "retention.run": frozenset({"meldpunt"}),
    # declare a conflict of interest: every staff role may
    "melding.recuse": frozenset({"manager", "confidential_adviser", "meldpunt",
                                 "competent_authority", "investigator", "auditor"}),
    # every melding, not only those assigned to oneself as competent authority
    "melding.read_all": frozenset({"meldpunt"}),
    # investigation
    "case.read": frozenset({"investigator", "competent_authority", "meldpunt"}),
    # what a case holds beyond its status and steps (minutes, plan, evidence, reports)
    "case.read_content": frozenset({"investigator", "competent_authority"}),
    # every case (its status and steps), not only those one is assigned to
    "case.read_all": frozenset({"meldpunt"}),
    "case.assign_investigators": frozenset({"competent_authority"}),
    "case.record_conversation": frozenset({"competent_authority"}),
    "case.investigate": frozenset({"investigator"}),
    "case.take_measures": frozenset({"competent_authority"}),
    # turn a conversation into an investigation; interim measures while it runs
    "case.escalate": frozenset({"competent_authority"}),
    "case.interim_measures": frozenset({"competent_authority"}),
    # the person concerned: informed or not yet, heard, their file requests, the outcome
    "case.person_concerned": frozenset({"competent_authority"}),
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


def is_allowed_role(roles: Iterable[str], action: str) -> bool:
    """Whether any of a staff member's roles (in the directory) may do `action`."""
    return any(is_allowed(role, action) for role in roles)


def require(role: str, action: str) -> None:
    """Forbidden (403) unless `role` may do `action`."""
    if not is_allowed(role, action):
        raise Forbidden(f"The role {role!r} may not do {action!r}.", action=action)


@dataclass(frozen=True)
class MeldingParties:
    """Who a melding's per-melding rules name: its assigned competent authority (None
    before assessment, or when flagged), its concerned staff and recused subs, and the
    investigators of its case."""

    competent_authority: str | None
    excluded: Iterable[str] = ()
    investigators: Iterable[str] = ()

    def names(self, sub: str, among: Iterable[str]) -> bool:
        wanted = normalised(sub)
        return any(normalised(other) == wanted for other in among)


def acts_as_competent_authority(role: str, sub: str, melding: MeldingParties) -> bool:
    """Whether this caller is the melding's assigned competent authority."""
    return (is_allowed(role, "melding.decide") and melding.competent_authority is not None
            and not melding.names(sub, melding.excluded)
            and melding.names(sub, (melding.competent_authority,)))


def may_see(role: str, sub: str, melding: MeldingParties) -> bool:
    """Whether this caller may see the melding at all (the need-to-know rule): never
    when concerned or recused; the meldpunt always otherwise; the competent authority
    when assigned; an investigator when on its case. Anyone else answers 404."""
    if melding.names(sub, melding.excluded):
        return False
    if is_allowed(role, "melding.read_all") or is_allowed(role, "case.read_all"):
        return True
    if is_allowed(role, "case.investigate"):
        return melding.names(sub, melding.investigators)
    return acts_as_competent_authority(role, sub, melding)


@dataclass(frozen=True)
class Visibility:
    """`may_see` for one reader as a store can ask it of many meldingen at once: none
    that excludes `unless_excluding` (normalised), and of the rest those in `scope`:
    `all`, `assigned` (whose competent authority is `unless_excluding`), `investigating`
    (whose case names them an investigator) or `none`."""

    unless_excluding: str
    scope: Literal["all", "assigned", "investigating", "none"]


def visibility(role: str, sub: str) -> Visibility:
    """The reader's `may_see`, rule for rule, for a store to filter by (a test holds
    the two to the same answers)."""
    if is_allowed(role, "melding.read_all") or is_allowed(role, "case.read_all"):
        scope: Literal["all", "assigned", "investigating", "none"] = "all"
    elif is_allowed(role, "case.investigate"):
        scope = "investigating"
    elif is_allowed(role, "melding.decide"):
        scope = "assigned"
    else:
        scope = "none"
    return Visibility(normalised(sub), scope)


def may_read_identity(role: str, sub: str, melding: MeldingParties, *,
                      consent: bool | None) -> bool:
    """Whether this caller may read the melding's named reporter's identity: whoever
    may see the melding and holds `melding.read_identity` (the meldpunt); with the
    reporter's consent (no answer counts as no) also the others `may_see` lets see it
    who hold `melding.read_identity_with_consent`."""
    if not may_see(role, sub, melding):
        return False
    if is_allowed(role, "melding.read_identity"):
        return True
    return consent is True and is_allowed(role, "melding.read_identity_with_consent")
