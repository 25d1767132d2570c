"""Suppression that holds: whoever knows how the figures add up still cannot work out
a hidden count. The reader here is written apart from `publication.py`: it knows the
sums from the procedure (each melding has one theme, kind and channel, one
acknowledgement, feedback within, late or pending; each contact moment one theme;
each investigation one conclusion; each melding is assessed, decided, closed and
reported to the police at most once) and tries every value each hidden cell can take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.domain.figures import (
    ADVISERS,
    CHANNELS,
    CLOSING_REASONS,
    CONCLUSIONS,
    KINDS,
    MEASURES,
    OPEN_AGES,
    OUTCOMES,
    THEMES,
    AnnualFigures,
)
from services.reporting.domain.publication import SECONDARY, suppress

Path = tuple[str, ...]
TOTAL: Path = ("meldingen", "total")
#: (total, parts), as the procedure makes them add up.
SUMS: list[tuple[Path, list[Path]]] = [
    (TOTAL, [("meldingen", "by_theme", k) for k in THEMES]),
    (TOTAL, [("meldingen", "by_kind", k) for k in KINDS]),
    (TOTAL, [("meldingen", "by_channel", k) for k in CHANNELS]),
    (TOTAL, [("terms", "acknowledgement", k) for k in ("within", "late")]),
    (TOTAL, [("terms", "feedback", k) for k in ("within", "late", "pending")]),
    *((("contact_moments", a, "total"), [("contact_moments", a, "by_theme", t)
                                         for t in THEMES]) for a in ADVISERS),
    (("investigations", "held"), [("investigations", "by_conclusion", c)
                                  for c in CONCLUSIONS]),
    (("open_at_year_end", "total"), [("open_at_year_end", "by_age", a) for a in OPEN_AGES]),
]
#: (total, parts) where the parts add up to at most the total.
AT_MOST: list[tuple[Path, list[Path]]] = [
    (TOTAL, [("admissibility", "admissible"), ("admissibility", "inadmissible")]),
    (TOTAL, [("closed", "by_reason", r) for r in CLOSING_REASONS]),
    (TOTAL, [("police_reports",)]),
    (TOTAL, [("conversations",)]),
    (TOTAL, [("investigations", "held")]),
    *((TOTAL, [("decisions", "by_outcome", o)]) for o in OUTCOMES),
    (("police_reports",), [("decisions", "by_outcome", "police_report")]),
    *((("measures", "by_kind", m), [("investigations", "measures_after", m)])
      for m in MEASURES),
]
START = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)


def at(node: dict[str, Any], path: Path) -> Any:
    for key in path:
        node = node[key]
    return node


def values(shown: Any, threshold: int, ceiling: int) -> range:
    """What a reader knows a published count can be."""
    if isinstance(shown, int):
        return range(shown, shown + 1)
    if shown == f"<{threshold}":
        return range(1, threshold)
    assert shown == SECONDARY
    return range(ceiling + 1)


def sums_of(ranges: list[range], cap: int) -> int:
    """Every sum the ranges can make, up to `cap`, as a bit set."""
    reach = 1
    for options in ranges:
        reach = sum_bits(reach, options, cap)
    return reach


def sum_bits(reach: int, options: range, cap: int) -> int:
    out = 0
    for value in options:
        if value > cap:
            break
        out |= reach << value
    return out & ((1 << (cap + 1)) - 1)


def possible(published: dict[str, Any], threshold: int, ceiling: int
             ) -> dict[Path, set[int]]:
    """Per hidden count in a sum, every value that fits everything shown."""
    found: dict[Path, set[int]] = {}
    for total in dict.fromkeys(t for t, _ in SUMS + AT_MOST):
        sums = [parts for t, parts in SUMS if t == total]
        limits = [parts for t, parts in AT_MOST if t == total]
        fitting: dict[Path, set[int]] = {}
        for candidate in values(at(published, total), threshold, ceiling):
            ranges = [[values(at(published, p), threshold, ceiling) for p in parts]
                      for parts in sums]
            bounded = [[values(at(published, p), threshold, ceiling) for p in parts]
                       for parts in limits]
            if not all(sums_of(r, candidate) >> candidate & 1 for r in ranges):
                continue
            if not all(sum(o.start for o in r) <= candidate for r in bounded):
                continue
            if not isinstance(at(published, total), int):
                fitting.setdefault(total, set()).add(candidate)
            for parts, options in zip(sums, ranges, strict=True):
                for index, part in enumerate(parts):
                    if isinstance(at(published, part), int):
                        continue
                    others = sums_of(options[:index] + options[index + 1:], candidate)
                    fitting.setdefault(part, set()).update(
                        v for v in options[index] if v <= candidate
                        and others >> (candidate - v) & 1)
            for parts, options in zip(limits, bounded, strict=True):
                least = sum(o.start for o in options)
                for index, part in enumerate(parts):
                    if isinstance(at(published, part), int):
                        continue
                    others = least - options[index].start
                    fitting.setdefault(part, set()).update(
                        v for v in options[index] if v + others <= candidate)
        for path, options in fitting.items():  # each total's sums narrow it further
            found[path] = found[path] & options if path in found else options
    return found


def year_of(meldingen: list[tuple[Any, ...]], moments: list[tuple[str, str]]
            ) -> dict[str, Any]:
    figures = AnnualFigures()
    for index, (theme, kind, channel, late, feedback, conclusion, closed, verdict, outcome,
                reported, measures) in enumerate(meldingen):
        mid = f"m{index}"
        received = START + timedelta(days=25 * index)
        acknowledged = received + timedelta(days=9 if late else 1)
        figures.apply("melding_received", {
            "melding_id": mid, "theme": theme, "kind": kind, "channel": channel,
            "received_at": received.isoformat(), "acknowledged_at": acknowledged.isoformat()})
        when = received.isoformat()
        if verdict is not None:
            figures.apply("melding_assessed", {"melding_id": mid, "admissible": verdict,
                                               "at": when})
        if outcome:
            figures.apply("melding_decided", {"melding_id": mid, "outcome": list(outcome),
                                              "at": when})
        if reported:
            figures.apply("police_report_recorded", {"melding_id": mid,
                                                     "filed_on": when[:10], "at": when})
        if feedback is not None:
            given = acknowledged + timedelta(days=80 if feedback == "within" else 100)
            figures.apply("reporter_messaged", {"melding_id": mid, "purpose": "feedback",
                                                "at": given.isoformat()})
        if conclusion is not None:
            figures.apply("final_report_issued", {"melding_id": mid, "conclusion": conclusion,
                                                  "at": when})
        if conclusion is not None or "conversation" in outcome:
            figures.apply("case_closed", {
                "melding_id": mid, "measure_kinds": list(measures), "at": when,
                "path": "investigation" if conclusion is not None else "conversation"})
        if closed is not None:
            figures.apply("melding_closed", {"melding_id": mid, "reason": closed,
                                             "at": (received + timedelta(days=9)).isoformat()})
    for adviser, theme in moments:
        figures.apply("contact_moment_recorded", {"adviser": adviser, "theme": theme,
                                                  "date": "2025-03-01"})
    return figures.figures(2025)


# Few categories in play, so that small and equal counts (the hard cases) are common.
meldingen = st.lists(st.tuples(
    st.sampled_from(THEMES[:3]), st.sampled_from(KINDS), st.sampled_from(CHANNELS[:3]),
    st.booleans(), st.sampled_from([None, "within", "late"]),
    st.sampled_from([None, *CONCLUSIONS[:3]]),
    st.sampled_from([None, *CLOSING_REASONS[:3]]), st.sampled_from([None, True, False]),
    st.sampled_from([(), ("no_action",), ("investigation",), ("police_report",),
                     ("conversation", "police_report")]),
    st.booleans(), st.sampled_from([(), ("written_reprimand",),
                                    ("written_reprimand", "training")])), max_size=14)
moments = st.lists(st.tuples(st.sampled_from(ADVISERS), st.sampled_from(THEMES[:3])),
                   max_size=8)


@settings(max_examples=300, deadline=None)
@given(meldingen, moments, st.integers(min_value=2, max_value=5))
def test_no_hidden_count_can_be_derived(meldingen: list[tuple[Any, ...]],
                                        moments: list[tuple[str, str]],
                                        threshold: int) -> None:
    figures = year_of(meldingen, moments)
    for total, parts in SUMS:  # the reader's sums are true ones
        assert at(figures, total) == sum(at(figures, p) for p in parts)
    for total, parts in AT_MOST:
        assert at(figures, total) >= sum(at(figures, p) for p in parts)
    published = suppress(figures, threshold)
    ceiling = 2 * len(meldingen) + len(moments) + threshold
    fitting = possible(published, threshold, ceiling)
    for path, options in fitting.items():
        assert at(figures, path) in options, path
        assert len(options) >= 2, f"{path} can only be {options}"
    for term in ("acknowledgement", "feedback"):
        shown = published["terms"][term]
        if isinstance(shown["share_within"], float):
            assert isinstance(shown["within"], int) and isinstance(shown["late"], int)
    # A hidden count in no sum: its label alone must leave it more than one value.
    assert f"<{threshold}" not in str(published) or threshold > 2


#: A melding with nothing after its assessment, in `year_of`'s terms.
ASSESSED = (None, "no_action", True, (), False, ())


def test_a_total_minus_the_shown_cells_no_longer_gives_the_hidden_one() -> None:
    """The issue's case: total 4, wrongdoing 3, integrity violation "<3" (so 1)."""
    figures = year_of([("gifts", "wrongdoing", "web", False, None, *ASSESSED)] * 3
                      + [("gifts", "integrity_violation", "web", False, None, *ASSESSED)],
                      [])
    published = suppress(figures, 3)
    kinds = published["meldingen"]["by_kind"]
    assert kinds["integrity_violation"] == "<3"
    assert kinds["wrongdoing"] == SECONDARY
    assert published["meldingen"]["total"] == 4


def test_a_sum_that_is_at_most_the_total_gives_nothing_away_either() -> None:
    """4 meldingen, 3 admissible and 1 not: each melding is assessed at most once, so
    "3" and "<3" beside the total 4 would make it 1. Also for the closing reasons."""
    refused = (None, "inadmissible", False, (), False, ())
    figures = year_of([("gifts", "wrongdoing", "web", False, None, *ASSESSED)] * 3
                      + [("gifts", "wrongdoing", "web", False, None, *refused)], [])
    published = suppress(figures, 3)
    assert published["meldingen"]["total"] == 4
    assert published["admissibility"] == {"admissible": SECONDARY, "inadmissible": "<3"}
    assert published["closed"]["by_reason"]["inadmissible"] == "<3"
    assert published["closed"]["by_reason"]["no_action"] == SECONDARY


def test_nothing_more_is_hidden_when_nothing_can_be_derived() -> None:
    figures = year_of([("gifts", "wrongdoing", "web", False, "within", *ASSESSED)] * 4
                      + [("conduct", "wrongdoing", "web", False, "within", *ASSESSED)] * 4,
                      [])
    assert suppress(figures, 3)["meldingen"]["by_theme"]["gifts"] == 4
    assert SECONDARY not in str(suppress(figures, 3))


def test_figures_that_break_a_sum_are_still_published() -> None:
    """A closing of a melding the projection never saw received counts in its year
    beside a total without it: the reader's sums no longer hold, and suppression
    must still end."""
    figures = year_of([("gifts", "wrongdoing", "web", False, None, *ASSESSED)] * 3, [])
    figures["closed"]["by_reason"]["referral"] = 7
    published = suppress(figures, 3)
    assert published["meldingen"]["total"] == 3
