"""Who may not investigate a melding: the one rule, in one place.

An investigator is conflicted when named among the persons concerned in the
melding's `involved`, or when they assessed or decided this very melding (they would
be judging their own advice). Names are compared as `normalised`: without regard to
case, spacing, compatibility forms (NFKC: full-width letters are the plain ones) or invisible
characters (a zero-width space inside a name would otherwise hide it).
"""

from __future__ import annotations

import unicodedata


def normalised(name: str) -> str:
    """The form names are compared in."""
    composed = unicodedata.normalize("NFKC", name)
    # Format characters (category Cf: zero-width spaces and joiners, bidi controls, the
    # soft hyphen) change no letter a reader sees.
    visible = "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split()).casefold()


def _same(a: str, b: str) -> bool:
    return normalised(a) == normalised(b)


def conflict_of(
    investigator: str, *, involved: list[str], assessed_by: str, decided_by: str
) -> str | None:
    """Why `investigator` may not investigate this melding, or None if they may."""
    if any(_same(investigator, person) for person in involved):
        return f"{investigator} is named among the persons concerned in this melding."
    if assessed_by and _same(investigator, assessed_by):
        return f"{investigator} assessed this melding."
    if decided_by and _same(investigator, decided_by):
        return f"{investigator} decided on this melding."
    return None
