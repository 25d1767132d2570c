"""The meldpunt's written account of a year: rewritten parts keep their versions in
the history, the same text twice is one version, and bad input changes nothing."""

from __future__ import annotations

import pytest

from services.reporting.domain.account import MAX_CHARACTERS, PARTS, AnnualAccount
from shared.errors import InvalidInput

AT = "2026-01-20T10:00:00+01:00"


def test_a_part_rewritten_shows_the_latest_and_keeps_every_version() -> None:
    account = AnnualAccount(2025)
    assert account.write("activities", "Twee trainingen gegeven.", "mp", AT, 2026)
    assert account.write("activities", "Drie trainingen gegeven.\n\nEen werkproces "
                         "aangescherpt.", "mp", AT, 2026)
    assert account.published()["activities"] == {
        "text": "Drie trainingen gegeven.\n\nEen werkproces aangescherpt.",
        "written_at": AT, "version": 2}
    assert account.published()["analysis"] is None
    written = [e for e in account.collect_events() if isinstance(e, AnnualAccount.Written)]
    assert [e.text for e in written] == [
        "Twee trainingen gegeven.", "Drie trainingen gegeven.\n\nEen werkproces aangescherpt."]


def test_the_same_text_again_is_no_new_version() -> None:
    account = AnnualAccount(2025)
    account.write("analysis", "Meer meldingen over geschenken.", "mp", AT, 2026)
    assert not account.write("analysis", "  Meer meldingen over geschenken.\n", "mp", AT, 2026)
    assert account.published()["analysis"]["version"] == 1  # type: ignore[index]


@pytest.mark.parametrize(("year", "part", "text", "field"), [
    (2027, "activities", "Vooruit geschreven.", "year"),
    (2025, "secrets", "Iets.", "part"),
    (2025, "analysis", "  \n ", "text"),
    (2025, "analysis", "x" * (MAX_CHARACTERS + 1), "text"),
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    year: int, part: str, text: str, field: str,
) -> None:
    account = AnnualAccount(year)
    account.collect_events()
    with pytest.raises(InvalidInput) as refused:
        account.write(part, text, "mp", AT, 2026)
    assert refused.value.field == field
    assert account.collect_events() == []
    assert account.published() == dict.fromkeys(PARTS)
