"""Who may not investigate a melding: the one rule, in one place.

An investigator is conflicted when named among the persons concerned in the
melding's `involved`, or when they assessed or decided this very melding (they would
be judging their own advice). Names are compared as `normalised`: without regard to
case, spacing, compatibility forms (NFKC: full-width letters are the plain ones) or invisible
characters (a zero-width space inside a name would otherwise hide it): `shared.names`.
"""

from __future__ import annotations

from shared.names import same


def conflict_of(
    investigator: str, *, involved: list[str], assessed_by: str, decided_by: str
) -> str | None:
    """Why `investigator` may not investigate this melding, or None if they may."""
    if any(same(investigator, person) for person in involved):
        return f"{investigator} is named among the persons concerned in this melding."
    if assessed_by and same(investigator, assessed_by):
        return f"{investigator} assessed this melding."
    if decided_by and same(investigator, decided_by):
        return f"{investigator} decided on this melding."
    return None
