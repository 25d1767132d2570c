"""The Dutch form asks for the day as dag-maand-jaar; the English one has the browser's
date input, which sends ISO dates. Both are read, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.web.forms import parse_melding

POSTED = {"kind": "wrongdoing", "theme": "resources", "description": "Geld verdwijnt.",
          "anonymous": "true"}
TODAY = date(2026, 3, 11)


@pytest.mark.parametrize("typed", ["15-03-2024", "15-3-2024", "15/03/2024", "15.03.2024",
                                   "2024-03-15"])
def test_the_day_is_read_as_typed(typed: str) -> None:
    form = parse_melding({**POSTED, "occurred": typed}, TODAY)
    assert form.errors == {}
    assert form.submission is not None and form.submission.occurred == date(2024, 3, 15)


@pytest.mark.parametrize("typed", ["31-02-2024", "03-15-2024x", "15 maart", "12-03-2027"])
def test_a_day_that_is_not_one_or_lies_ahead_is_refused_beside_the_field(typed: str) -> None:
    form = parse_melding({**POSTED, "occurred": typed}, TODAY)
    assert form.errors == {"occurred": "occurred"}
    assert form.submission is None
