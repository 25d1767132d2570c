"""Who may not investigate a melding: the one rule, in one place.

An investigator is conflicted when their login name or their name in the directory is
among the persons concerned in the melding's `involved`, when they are among its
concerned staff or recused themselves, or when they assessed or decided this very
melding (they would be judging their own advice). Names are compared in the form of
`shared.names`: without regard to case, spacing, compatibility forms (NFKC: full-width
letters are the plain ones) or invisible characters (a zero-width space inside a name
would otherwise hide it).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.names import same


@dataclass(frozen=True)
class Investigator:
    """A staff member with the investigator role, as the directory names them."""

    sub: str
    name: str


def conflict_of(
    investigator: str, name: str = "", *, involved: list[str], assessed_by: str,
    decided_by: str, excluded: list[str] | None = None,
) -> str | None:
    """Why `investigator` (a login name; `name` their name in the directory) may not
    investigate this melding, or None if they may."""
    names = [n for n in (investigator, name) if n]
    if any(same(n, person) for n in names for person in involved):
        return f"{investigator} is named among the persons concerned in this melding."
    if any(same(investigator, sub) for sub in excluded or ()):
        return f"{investigator} is concerned in this melding or recused."
    if assessed_by and same(investigator, assessed_by):
        return f"{investigator} assessed this melding."
    if decided_by and same(investigator, decided_by):
        return f"{investigator} decided on this melding."
    return None
