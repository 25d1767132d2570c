"""Names compared for conflicts are normalised: an investigator named among the persons
concerned is found however the name was typed (case, spacing, full-width or ligature
forms, zero-width or other invisible characters)."""

from __future__ import annotations

import pytest

from services.investigation.domain.conflicts import conflict_of
from shared.names import normalised


@pytest.mark.parametrize("written", [
    "jan de vries",
    "  Jan   de\tVries ",
    "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "Jan de Vries"),  # full-width
    "Jan\u200b de\u200d Vries",            # zero-width space and joiner
    "\ufeffJan de\u2060 Vri\u00ades",       # BOM, word joiner, soft hyphen
    "Jan de \u202eVries",                   # a bidi override
])
def test_the_same_name_however_written_is_a_conflict(written: str) -> None:
    assert normalised(written) == normalised("Jan de Vries")
    reason = conflict_of("Jan de Vries", involved=[written], assessed_by="", decided_by="")
    assert reason is not None and "persons concerned" in reason
    assert conflict_of(written, involved=[], assessed_by="jan de vries", decided_by="")


def test_different_names_stay_different() -> None:
    assert normalised("Jan de Vries") != normalised("Jan de Vriës")
    assert conflict_of("Jan de Vries", involved=["Jana de Vries"], assessed_by="",
                       decided_by="") is None
