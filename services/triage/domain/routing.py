"""Who acts as the competent authority for a melding: the routing table, and the one
rule that applies it.

A melding's `concerns` (the position of the person it is about) names a rule; the rule
names a target: the concerned manager's own manager, the holder of a function, the
organisation's default competent authority, or an authority outside the organisation.
The target must be a staff member who may be assigned (role `competent_authority`) and
is not among the melding's `concerned_staff`; otherwise the melding goes one step up
(the target's own manager), and failing that it is flagged for the meldpunt, who
assigns a competent authority by hand with a motivation.

The defaults below state their source; an organisation replaces any of them in the
file named by `MELDINGEN_ROUTING_FILE` (services/triage/adapters/routing_file.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol, get_args

from shared.contracts import Concerns
from shared.names import normalised

MAASTRICHT = "Gemeente Maastricht, gedragscode integriteit, section 8"
LOCAL_PRACTICE = "Dutch local-government practice; local practice, to be confirmed"
#: The role that makes a staff member assignable as a melding's competent authority.
ASSIGNABLE_ROLE: Final = "competent_authority"


@dataclass(frozen=True)
class Rule:
    #: "reports_to", "default", "function:<function>" or "external:<authority>"
    target: str
    source: str
    #: False for a rule an organisation should confirm (local practice).
    confirmed: bool = True


DEFAULT_RULES: Final[dict[str, Rule]] = {
    "manager": Rule("reports_to", f"{MAASTRICHT}: the next manager up"),
    "board_member": Rule("function:secretary",
                         f"{MAASTRICHT}: a member of the college, to the secretary"),
    "employee": Rule("default", "the organisation's default competent authority"),
    "unknown": Rule("default", "the organisation's default competent authority"),
    "secretary": Rule("function:mayor", LOCAL_PRACTICE, confirmed=False),
    "director": Rule("function:mayor", LOCAL_PRACTICE, confirmed=False),
    "council_member": Rule("function:mayor", LOCAL_PRACTICE, confirmed=False),
    "mayor": Rule("external:Commissaris van de Koning", LOCAL_PRACTICE, confirmed=False),
    "confidential_adviser": Rule(
        "default", "no rule in the seeds: the organisation's default competent authority",
        confirmed=False),
    "meldpunt": Rule(
        "default", "no rule in the seeds: the organisation's default competent authority",
        confirmed=False),
}
CONCERNS: Final[tuple[str, ...]] = get_args(Concerns)


def check_target(target: str) -> str:
    """`target` if it is one a rule may name (a ValueError otherwise)."""
    kind, _, value = target.partition(":")
    if target in ("reports_to", "default") or (kind in ("function", "external") and value):
        return target
    raise ValueError(f"{target!r} is not a routing target: reports_to, default, "
                     "function:<function> or external:<authority>")


class StaffMember(Protocol):
    @property
    def sub(self) -> str: ...
    @property
    def roles(self) -> tuple[str, ...]: ...
    @property
    def reports_to(self) -> str | None: ...


class People(Protocol):
    """The staff directory as routing reads it (shared.directory.Directory)."""

    def find(self, sub: str) -> StaffMember | None: ...
    def knows(self, sub: str) -> bool: ...
    def with_function(self, function: str) -> Sequence[StaffMember]: ...


@dataclass(frozen=True)
class Routing:
    """The competent authority routing chose (`sub`), or None and why it is flagged."""

    sub: str | None
    rule: str
    source: str
    flagged: str | None = None


@dataclass(frozen=True)
class RoutingTable:
    rules: Mapping[str, Rule]
    #: `MELDINGEN_DEFAULT_COMPETENT_AUTHORITY`: a sub, or None when none is configured.
    default: str | None = None

    def route(self, concerns: str, concerned_staff: list[str], people: People,
              recused: Iterable[str] = ()) -> Routing:
        """The competent authority for a melding about `concerns`, never one of the
        `concerned_staff` or of those who `recused` themselves."""
        rule = self.rules[concerns]
        concerned = {normalised(sub) for sub in (*concerned_staff, *recused)}
        name = f"{concerns}: {rule.target}"
        if rule.target.startswith("external:"):
            authority = rule.target.partition(":")[2]
            return Routing(None, name, rule.source,
                           flagged=f"to be referred outside the organisation ({authority})")
        for candidate in self._candidates(rule.target, concerned_staff, people):
            if self.assignable(candidate, concerned, people):
                return Routing(candidate, name, rule.source)
            # One step up: the candidate's own manager.
            member = people.find(candidate)
            above = member.reports_to if member is not None else None
            if above is not None and self.assignable(above, concerned, people):
                return Routing(above, f"{name}, one step up", rule.source)
        return Routing(None, name, rule.source,
                       flagged="no competent authority this rule can assign")

    def _candidates(self, target: str, concerned_staff: list[str], people: People
                    ) -> list[str]:
        if target == "default":
            return [self.default] if self.default else []
        if target == "reports_to":
            managers = (people.find(sub) for sub in concerned_staff)
            return [m.reports_to for m in managers if m is not None and m.reports_to]
        return [holder.sub for holder in people.with_function(target.partition(":")[2])]

    def assignable(self, sub: str, excluded: set[str], people: People) -> bool:
        """Whether `sub` may act as a melding's competent authority: not `excluded`
        (normalised subs: concerned or recused) and assignable by role."""
        if normalised(sub) in excluded:
            return False
        member = people.find(sub)
        if member is None:
            # The configured default need not be in the directory (anyone else must
            # be), but a disabled account is nobody's competent authority.
            return (self.default is not None and normalised(sub) == normalised(self.default)
                    and not people.knows(sub))
        return ASSIGNABLE_ROLE in member.roles


DEFAULT_TABLE: Final = RoutingTable(DEFAULT_RULES)
