"""Request bodies for the load: named and anonymous meldingen like a web form sends."""

from __future__ import annotations

from typing import Any, get_args

from shared.contracts import Kind, Theme

THEMES: tuple[Theme, ...] = get_args(Theme)
KINDS: tuple[Kind, ...] = get_args(Kind)
DESCRIPTION = (
    "Een leverancier gaf het afdelingshoofd inkoop een fiets na de aanbesteding van "
    "het onderhoud. Dit gebeurde op het terrein van de gemeente, in het bijzijn van "
    "twee collega's. Ik weet niet of het geschenk is gemeld. "
)


def melding(kind_of_body: str, n: int) -> dict[str, Any]:
    """The n-th body of a run: `named` (identity in the clear for the meldpunt) or
    `anonymous` (identity given, so intake seals it server-side)."""
    return {
        "kind": KINDS[n % len(KINDS)],
        "theme": THEMES[n % len(THEMES)],
        "description": f"{DESCRIPTION}(bench {n})",
        "involved": ["afdelingshoofd inkoop"],
        "anonymous": kind_of_body == "anonymous",
        "identity": {"name": f"Melder {n}", "email": f"melder{n}@example.org"},
    }
