"""The staff roles and functions: one list, used by tokens, the directory and its
contracts. Plain Python, so that every domain may import it."""

from __future__ import annotations

from typing import Final, Literal, get_args

Role = Literal[
    "manager",
    "confidential_adviser",
    "meldpunt",
    "competent_authority",
    "investigator",
    "auditor",
    # Manages staff accounts in the console; sees no melding.
    "administrator",
]
STAFF_ROLES: Final[tuple[str, ...]] = get_args(Role)

#: Functions the routing rules name; any other function is kept as free text.
KNOWN_FUNCTIONS: Final[tuple[str, ...]] = ("secretary", "mayor", "board_member", "director")
