"""Retention terms: per outcome from closing, set once for all or per outcome, and a
legal hold that keeps a melding whatever its term."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.contracts import RETENTION_OUTCOMES
from shared.retention import (
    DEFAULT_TERMS,
    MeldingRetention,
    RetentionError,
    RetentionTerms,
    due_for_shredding,
    retention_outcome,
)
from tests.support import make_settings

CLOSED = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
TERMS = RetentionTerms({outcome: 30 for outcome in RETENTION_OUTCOMES})


def closed(melding_id: str, outcome: str = "no_follow_up", at: datetime = CLOSED,
           ) -> MeldingRetention:
    return MeldingRetention(melding_id, closed_at=at, outcome=outcome)  # type: ignore[arg-type]


def test_every_outcome_has_a_default_term() -> None:
    assert set(DEFAULT_TERMS) == set(RETENTION_OUTCOMES)
    assert all(days > 0 for days in DEFAULT_TERMS.values())


@pytest.mark.parametrize(("reason", "path", "measures", "outcome"), [
    ("inadmissible", None, [], "inadmissible"),
    ("no_action", None, [], "no_follow_up"),
    ("referral", None, [], "referred"),
    ("police_report", None, [], "referred"),
    ("case_closed", "conversation", [], "conversation"),
    ("case_closed", "investigation", [], "investigation_without_measures"),
    ("case_closed", "investigation", ["none"], "investigation_without_measures"),
    ("case_closed", "investigation", ["none", "written_reprimand"],
     "investigation_with_measures"),
    ("case_closed", "investigation", ["process_change"], "investigation_with_measures"),
])
def test_the_outcome_follows_from_how_the_melding_closed(
        reason: str, path: str | None, measures: list[str], outcome: str) -> None:
    assert retention_outcome(reason, path, measures) == outcome  # type: ignore[arg-type]


def test_without_settings_the_defaults_hold(tmp_path: Path) -> None:
    terms = RetentionTerms.from_settings(make_settings(tmp_path, "nats://127.0.0.1:1"))
    assert terms.days == DEFAULT_TERMS


def test_one_setting_for_all_and_a_per_outcome_one_wins(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "nats://127.0.0.1:1", retention_days=0,
                             retention_days_investigation_with_measures=3650)
    terms = RetentionTerms.from_settings(settings)
    assert terms.days["investigation_with_measures"] == 3650
    assert {terms.days[o] for o in RETENTION_OUTCOMES
            if o != "investigation_with_measures"} == {0}


def test_a_negative_term_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="retention_days_referred"):
        make_settings(tmp_path, "nats://127.0.0.1:1", retention_days_referred=-1)


def test_the_term_counts_days_from_the_local_day_of_closing() -> None:
    # 23:30 UTC on 31 March is 1 April in Nijmegen: the term runs from 1 April.
    late = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert TERMS.shred_on(late, "referred") == date(2026, 5, 1)
    terms = RetentionTerms({o: 0 for o in RETENTION_OUTCOMES})
    assert terms.shred_on(CLOSED, "referred") == date(2026, 3, 10)


def test_due_on_the_day_the_term_has_passed_and_not_before() -> None:
    melding = closed("m-1")
    assert due_for_shredding([melding], date(2026, 4, 8), TERMS) == []
    assert due_for_shredding([melding], date(2026, 4, 9), TERMS) == [melding]
    assert due_for_shredding([melding], date(2027, 1, 1), TERMS) == [melding]


def test_each_outcome_has_its_own_term() -> None:
    terms = RetentionTerms({**TERMS.days, "investigation_with_measures": 3650})
    short, kept = closed("m-short", "inadmissible"), closed("m-kept",
                                                            "investigation_with_measures")
    assert due_for_shredding([short, kept], date(2027, 1, 1), terms) == [short]


def test_open_held_and_shredded_meldingen_are_never_due() -> None:
    day = date(2030, 1, 1)
    still_open = MeldingRetention("m-open")
    held = closed("m-held").held("Rechtszaak C/09/123456 loopt", "meldpunt-1", CLOSED)
    shredded = MeldingRetention("m-gone", CLOSED, "no_follow_up", shredded_at=CLOSED)
    due = closed("m-due")
    assert due_for_shredding([still_open, held, shredded, due], day, TERMS) == [due]


def test_a_lifted_hold_makes_a_melding_past_its_term_due_again() -> None:
    held = closed("m-1").held("Klacht bij de Nationale ombudsman", "meldpunt-1", CLOSED)
    assert held.hold is not None and held.hold.placed_by == "meldpunt-1"
    assert due_for_shredding([held.released()], date(2030, 1, 1), TERMS) == [
        held.released()]


def test_a_hold_needs_a_motivation_and_cannot_be_placed_twice_or_lifted_unplaced() -> None:
    melding = closed("m-1")
    with pytest.raises(RetentionError, match="motivation"):
        melding.held("   kort  ", "meldpunt-1", CLOSED)
    held = melding.held("Rechtszaak C/09/123456 loopt", "meldpunt-1", CLOSED)
    with pytest.raises(RetentionError):
        held.held("Nog een rechtszaak die loopt", "meldpunt-1", CLOSED)
    with pytest.raises(RetentionError):
        melding.released()
    shredded = MeldingRetention("m-2", CLOSED, "no_follow_up", shredded_at=CLOSED)
    with pytest.raises(RetentionError, match="shredded"):
        shredded.held("Rechtszaak C/09/123456 loopt", "meldpunt-1", CLOSED)
