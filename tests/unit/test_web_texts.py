"""The reporter's pages say everything in both languages, for every kind and theme."""

from __future__ import annotations

from typing import Any, get_args

from services.intake.web.texts import EN, NL, language
from shared.contracts import Kind, Theme


def _shape(texts: dict[str, Any]) -> dict[str, Any]:
    return {key: _shape(value) if isinstance(value, dict) else type(value).__name__
            for key, value in texts.items()}


def test_english_and_dutch_have_the_same_texts() -> None:
    assert _shape(EN) == _shape(NL)
    assert len(EN["next_steps"]) == len(NL["next_steps"])


def test_every_kind_and_theme_has_a_label_and_an_explanation() -> None:
    for texts in (NL, EN):
        assert set(texts["kinds"]) == set(get_args(Kind))
        assert set(texts["themes"]) == set(get_args(Theme))
        assert all(label and hint for label, hint in texts["themes"].values())


def test_dutch_is_the_default_language() -> None:
    assert language(None) == "nl"
    assert language("en") == "en"
    assert language("de") == "nl"
