"""Published figures: small cells hidden, and the same figures as CSV rows.

A count from 1 up to the threshold (exclusive) is shown as "<3" (for a threshold of
3), so that a small number cannot point at a person; zero stays zero, it points at
nobody. Shares are published as they are: they are proportions, not counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: Figures that are not counts and are never hidden.
NOT_COUNTS = frozenset({"year", "share_within"})
#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def suppress(figures: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The figures with every count under `threshold` (and above zero) as "<threshold"."""
    def hide(key: str, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: hide(k, v) for k, v in value.items()}
        if key in NOT_COUNTS or not isinstance(value, int) or isinstance(value, bool):
            return value
        return f"<{threshold}" if 0 < value < threshold else value

    published = {key: hide(key, value) for key, value in figures.items()}
    published["threshold"] = threshold
    return published


def rows(figures: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(figure, category, value) for every leaf: ("meldingen.by_theme", "gifts", 4)."""
    def walk(path: str, node: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
        for key, value in node.items():
            if isinstance(value, dict):
                yield from walk(f"{path}.{key}" if path else key, value)
            else:
                yield path or key, key if path else "", value

    for figure, category, value in walk("", figures):
        if figure not in ("year", "threshold"):
            yield figure, category, value


def cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
