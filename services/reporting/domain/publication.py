"""Published figures: small cells hidden, so that none can be worked out again, and
the same figures as CSV rows.

A count from 1 up to the threshold (exclusive) is shown as "<3" (for a threshold of
3), so that a small number cannot point at a person; zero stays zero, it points at
nobody. A hidden count must also stay hidden from someone who knows the sums the
figures keep (`figures.RELATIONS`: the themes add up to the total, and so on; and
`figures.CEILINGS`: the admissible and the inadmissible add up to at most the total):
where the sums, one through another, the bounds a "<3" gives away, and the visible
cells would pin a hidden count to one value, more cells are hidden as "x" (secondary
suppression), the smallest first. "x" says nothing about a count's size, so a small
one is shown as "x" too where "<3" would give it away (with a threshold of 2, "<2"
would mean 1). A share is hidden with either of its counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from services.reporting.domain.figures import CEILINGS, RELATIONS, Path

#: Figures that are not counts and are never hidden for their own sake.
NOT_COUNTS = frozenset({"year", "share_within"})
#: What a published report holds beside one year's figures, left out of its rows.
NOT_FIGURES = frozenset({"year", "threshold", "previous_year", "written"})
#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A count hidden so that another cannot be derived; it may be any count.
SECONDARY = "x"
Relation = tuple[Path, tuple[Path, ...]]
#: What a reader knows of a count: from the least to the most it can be.
Interval = tuple[float, float]
#: (total, parts, whether the parts add up to the total exactly or at most)
Sum = tuple[Path, tuple[Path, ...], bool]


def suppress(figures: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The figures with every count under `threshold` (and above zero) as
    "<threshold", and as many more as "x" as it takes that no hidden count can be
    derived from what is shown."""
    counts = dict(_counts(figures, ()))
    hidden = Hiding(counts, threshold, RELATIONS, CEILINGS)
    published = _replace(figures, (), hidden.labels())
    for term in published.get("terms", {}).values():
        if any(isinstance(term[key], str) for key in ("within", "late")):
            term["share_within"] = SECONDARY
    published["threshold"] = threshold
    return published


class Hiding:
    """Which counts are hidden and how; built up until none can be derived.

    A reader's knowledge of each count is an interval: its value if shown, 1 to
    threshold - 1 for "<3", 0 upwards for "x". The sums (`exact`: the parts add up to
    the total; `ceilings`: to at most the total) narrow the intervals, each through
    the others, until nothing changes; a hidden count left one value is derivable,
    and one more count near it is hidden."""

    def __init__(self, counts: dict[Path, int], threshold: int,
                 exact: tuple[Relation, ...], ceilings: tuple[Relation, ...] = ()) -> None:
        self.counts, self.threshold = counts, threshold
        self.sums: list[Sum] = [(total, parts, True) for total, parts in exact] + [
            (total, parts, False) for total, parts in ceilings]
        self.primary = {path for path, value in counts.items() if 0 < value < threshold}
        self.secondary: set[Path] = set()
        while (derivable := self.derivable()) is not None:
            self._protect(derivable)

    def labels(self) -> dict[Path, str]:
        return {**{path: f"<{self.threshold}" for path in self.primary},
                **{path: SECONDARY for path in self.secondary}}

    def bounds(self, path: Path) -> Interval:
        """What a reader knows of a count from its own cell alone."""
        if path in self.secondary:
            return 0, math.inf
        if path in self.primary:
            return 1, self.threshold - 1
        value = self.counts[path]
        return value, value

    def narrowed(self) -> dict[Path, Interval]:
        """What a reader knows of each count in a sum, from every cell and every sum
        the figures keep. A sum they break (events of a melding never received,
        counted beside a total without it) is left out: what follows from it is
        unsound, and its intervals would grow for ever."""
        sums = list(self.sums)
        while True:
            known = {path: self.bounds(path) for total, parts, _ in sums
                     for path in (total, *parts)}
            broken = _narrow_all(known, sums)
            if broken is None:
                return known
            sums.remove(broken)

    def derivable(self) -> Path | None:
        """A hidden count a reader can work out (the smallest first), or None."""
        known = self.narrowed()
        for path in sorted(self.primary | self.secondary):
            low, high = known.get(path, self.bounds(path))
            if low == high:
                return path
        return None

    def _hidden(self, path: Path) -> bool:
        return path in self.primary or path in self.secondary

    def _protect(self, path: Path) -> None:
        """Hide one more count so that `path` may no longer be pinned: in the sums it
        is in, the smallest shown part, else a "<3" widened to "x" (its own first),
        else a shown total, else a shown zero; failing all, the same over every sum
        (a reader chains them, so the count may be pinned from further away)."""
        near = [(total, parts) for total, parts, _ in self.sums
                if path == total or path in parts]
        for around in (near, [(t, p) for t, p, _ in self.sums]):
            parts = [p for _, ps in around for p in ps]
            totals = [t for t, _ in around]
            shown = [p for p in parts if not self._hidden(p) and self.counts[p] > 0]
            if shown:
                self.secondary.add(min(shown, key=lambda p: (self.counts[p], p)))
                return
            small = sorted({*parts, *totals} & self.primary,
                           key=lambda p: (p != path, p))
            if small:
                self._widen(small[0])
                return
            for cells in (totals, parts):
                rest = [p for p in cells if not self._hidden(p)]
                if rest:
                    self.secondary.add(min(rest, key=lambda p: (self.counts[p], p)))
                    return
        if path in self.secondary:
            raise AssertionError(f"nothing left to hide for {path}")
        self._widen(path)  # in no sum: its own "<2" is all that gives it away

    def _widen(self, path: Path) -> None:
        self.primary.discard(path)
        self.secondary.add(path)


def _narrow_all(known: dict[Path, Interval], sums: list[Sum]) -> Sum | None:
    """Narrow `known` by every sum, each through the others, until nothing changes;
    the sum that left a count no value at all, if any."""
    changed = True
    while changed:
        changed = False
        for one in sums:
            for path, interval in _narrow(known, *one).items():
                if interval[0] > interval[1]:
                    return one
                if interval != known[path]:
                    known[path], changed = interval, True
    return None


def _narrow(known: dict[Path, Interval], total: Path, parts: tuple[Path, ...],
            exact: bool) -> dict[Path, Interval]:
    """The intervals of a sum's total and parts, narrowed by the sum alone."""
    lows = [known[p][0] for p in parts]
    highs = [known[p][1] for p in parts]
    low, high = known[total]
    low = max(low, sum(lows))
    if exact:
        high = min(high, sum(highs))
    out = {total: (low, high)}
    for index, part in enumerate(parts):
        others_low = sum(lows) - lows[index]
        others_high = sum(h for i, h in enumerate(highs) if i != index)
        own_low, own_high = known[part]
        if exact:
            own_low = max(own_low, low - others_high)
        out[part] = (own_low, min(own_high, high - others_low))
    return out


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
