"""Triage's feedback templates: one language each, general on purpose."""

from __future__ import annotations

from typing import get_args

from services.triage.domain.feedback import TEMPLATES, case_closing
from shared.contracts import FeedbackOccasion


def test_every_occasion_has_a_template_in_each_language() -> None:
    for language in ("nl", "en"):
        assert set(TEMPLATES[language]) == set(get_args(FeedbackOccasion))


def test_a_case_closing_without_words_is_one_general_text_in_the_reporters_language(
) -> None:
    dutch = case_closing(["written_reprimand"], "nl")
    english = case_closing(["none"], "en")
    assert "maatregelen genomen" in dutch and "/" not in dutch and "measures" not in dutch
    assert "not to take measures" in english and "maatregel" not in english
    assert case_closing([], "de") == case_closing(["none"], "nl")
