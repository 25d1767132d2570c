"""The form in which people's names and login names are compared: one rule for the
conflict check, the directory's look-ups and the per-melding rules.

Without regard to case, spacing, compatibility forms (NFKC: full-width letters are the
plain ones) or invisible characters (a zero-width space inside a name would otherwise
hide it)."""

from __future__ import annotations

import unicodedata


def normalised(name: str) -> str:
    """The form names are compared in."""
    composed = unicodedata.normalize("NFKC", name)
    # Format characters (category Cf: zero-width spaces and joiners, bidi controls, the
    # soft hyphen) change no letter a reader sees.
    visible = "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split()).casefold()


def same(a: str, b: str) -> bool:
    return normalised(a) == normalised(b)
