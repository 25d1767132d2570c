"""Published figures: small cells hidden, so that none can be worked out again, and
the same figures as CSV rows.

A count from 1 up to the threshold (exclusive) is shown as "<3" (for a threshold of
3), so that a small number cannot point at a person; zero stays zero, it points at
nobody. A hidden count must also stay hidden from someone who knows the sums the
figures keep (`figures.RELATIONS`: the themes add up to the total, and so on): where
a sum, the bounds a "<3" gives away, and the visible cells would pin a hidden count
to one value, more cells are hidden as "x" (secondary suppression), the smallest
first. "x" says nothing about a count's size, so a small one is shown as "x" too
where "<3" would give it away (with a threshold of 2, "<2" would mean 1). A share
is hidden with either of its counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from services.reporting.domain.figures import RELATIONS, Path

#: Figures that are not counts and are never hidden for their own sake.
NOT_COUNTS = frozenset({"year", "share_within"})
#: What a published report holds beside one year's figures, left out of its rows.
NOT_FIGURES = frozenset({"year", "threshold", "previous_year", "written"})
#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A count hidden so that another cannot be derived; it may be any count.
SECONDARY = "x"
Relation = tuple[Path, tuple[Path, ...]]


def suppress(figures: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The figures with every count under `threshold` (and above zero) as
    "<threshold", and as many more as "x" as it takes that no hidden count can be
    derived from what is shown."""
    counts = dict(_counts(figures, ()))
    hidden = Hiding(counts, threshold, RELATIONS)
    published = _replace(figures, (), hidden.labels())
    for term in published.get("terms", {}).values():
        if any(isinstance(term[key], str) for key in ("within", "late")):
            term["share_within"] = SECONDARY
    published["threshold"] = threshold
    return published


class Hiding:
    """Which counts are hidden and how; built up until none can be derived."""

    def __init__(self, counts: dict[Path, int], threshold: int,
                 relations: tuple[Relation, ...]) -> None:
        self.counts, self.threshold, self.relations = counts, threshold, relations
        self.primary = {path for path, value in counts.items() if 0 < value < threshold}
        self.secondary: set[Path] = set()
        while (derivable := self.derivable()) is not None:
            self._protect(*derivable)

    def labels(self) -> dict[Path, str]:
        return {**{path: f"<{self.threshold}" for path in self.primary},
                **{path: SECONDARY for path in self.secondary}}

    def bounds(self, path: Path) -> tuple[float, float]:
        """What a reader knows of a count: its value, 1 to threshold - 1, or nothing."""
        if path in self.secondary:
            return 0, math.inf
        if path in self.primary:
            return 1, self.threshold - 1
        value = self.counts[path]
        return value, value

    def derivable(self) -> tuple[Path, Relation | None] | None:
        """A hidden count whose bounds, with every sum it is in, leave it one value
        (and the sum that gives it away, if any); None if there is none."""
        for path in sorted(self.primary):
            low, high = self.bounds(path)
            if low == high:
                return path, None
        for total in dict.fromkeys(t for t, _ in self.relations):
            sums = [r for r in self.relations if r[0] == total]
            low, high = self.bounds(total)
            for relation in sums:
                low, high = max(low, self._span(relation)[0]), min(high, self._span(relation)[1])
            if self._hidden(total) and low == high:
                # Pinned from above (by its own "<3", or by a sum with a finite top).
                return total, next((r for r in sums if self._span(r)[1] == high), None)
            for relation in sums:
                part = self._pinned(relation, low, high)
                if part is not None:
                    return part, relation
        return None

    def _hidden(self, path: Path) -> bool:
        return path in self.primary or path in self.secondary

    def _span(self, relation: Relation) -> tuple[float, float]:
        """The least and the most the parts of a sum can add up to, as shown."""
        bounds = [self.bounds(part) for part in relation[1]]
        return sum(low for low, _ in bounds), sum(high for _, high in bounds)

    def _pinned(self, relation: Relation, low: float, high: float) -> Path | None:
        """A hidden part the sum leaves one value, the total being low to high."""
        for part in relation[1]:
            own_low, own_high = self.bounds(part)
            others = [self.bounds(p) for p in relation[1] if p != part]
            least, most = sum(b[0] for b in others), sum(b[1] for b in others)
            if own_low != own_high \
                    and max(own_low, low - most) == min(own_high, high - least):
                return part
        return None

    def _protect(self, path: Path, relation: Relation | None) -> None:
        """Hide one more count (or widen a "<3" to "x") so `path` is no longer
        pinned: the smallest shown part of its sum, else a "<3" of it, else its total."""
        if relation is None:
            self._widen(path)
            return
        total, parts = relation
        shown = [p for p in parts if not self._hidden(p)]
        if path == total:  # the total is pinned from above: open the sum's top
            small = [p for p in parts if p in self.primary]
            if total in self.primary:
                self._widen(total)
            elif small:
                self._widen(small[0])
            else:
                self.secondary.add(min(shown, key=lambda p: self.counts[p]))
            return
        nonzero = [p for p in shown if self.counts[p] > 0]
        if nonzero:
            self.secondary.add(min(nonzero, key=lambda p: self.counts[p]))
        elif path in self.primary:
            self._widen(path)
        elif (small := [p for p in parts if p in self.primary]):
            self._widen(small[0])
        elif not self._hidden(total):
            self.secondary.add(total)
        else:
            raise AssertionError(f"nothing left to hide for {path}")

    def _widen(self, path: Path) -> None:
        self.primary.discard(path)
        self.secondary.add(path)


def _counts(node: dict[str, Any], path: Path) -> Iterator[tuple[Path, int]]:
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _counts(value, (*path, key))
        elif key not in NOT_COUNTS and isinstance(value, int) and not isinstance(value, bool):
            yield (*path, key), value


def _replace(node: dict[str, Any], path: Path, labels: dict[Path, str]) -> dict[str, Any]:
    return {key: _replace(value, (*path, key), labels) if isinstance(value, dict)
            else labels.get((*path, key), value) for key, value in node.items()}


def rows(figures: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(figure, category, value) for every leaf: ("meldingen.by_theme", "gifts", 4)."""
    def walk(path: str, node: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
        for key, value in node.items():
            if isinstance(value, dict):
                yield from walk(f"{path}.{key}" if path else key, value)
            else:
                yield path or key, key if path else "", value

    yield from walk("", {key: value for key, value in figures.items()
                         if key not in NOT_FIGURES})


def cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
