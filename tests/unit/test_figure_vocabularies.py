"""Every figure section counts every value its contract allows: each value of each
Literal in `shared.contracts` is a key of its section, and an event carrying it is
counted there (so a value the contract adds cannot fall out of the published figures)."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from services.reporting.charts import LABELS
from services.reporting.domain.figures import AnnualFigures
from shared.contracts import (
    Adviser,
    Channel,
    ClosingReason,
    Conclusion,
    Kind,
    MeasureKind,
    Outcome,
    Theme,
)

AT = "2026-05-04T10:00:00+00:00"
MELDING = "00000000-0000-0000-0000-000000000001"


def received(**data: Any) -> dict[str, Any]:
    return {"melding_id": MELDING, "kind": "wrongdoing", "theme": "gifts", "channel": "web",
            "received_at": AT, "acknowledged_at": AT, **data}


def closed(reason: str) -> dict[str, Any]:
    return {"melding_id": MELDING, "reason": reason, "at": AT}


#: (section in the figures, its Literal, the events that count one value there)
SECTIONS: list[tuple[tuple[str, ...], Any, Any]] = [
    (("meldingen", "by_theme"), Theme,
     lambda v: [("melding_received", received(theme=v))]),
    (("meldingen", "by_kind"), Kind,
     lambda v: [("melding_received", received(kind=v))]),
    (("meldingen", "by_channel"), Channel,
     lambda v: [("melding_received", received(channel=v))]),
    (("contact_moments", "integrity", "by_theme"), Theme,
     lambda v: [("contact_moment_recorded", {"adviser": "integrity", "theme": v,
                                             "date": "2026-05-04"})]),
    (("decisions", "by_outcome"), Outcome,
     lambda v: [("melding_received", received()),
                ("melding_decided", {"melding_id": MELDING, "outcome": [v], "at": AT})]),
    (("investigations", "by_conclusion"), Conclusion,
     lambda v: [("melding_received", received()),
                ("final_report_issued", {"melding_id": MELDING, "conclusion": v, "at": AT})]),
    (("measures", "by_kind"), MeasureKind,
     lambda v: [("melding_received", received()),
                ("case_closed", {"melding_id": MELDING, "path": "investigation",
                                 "measure_kinds": [v], "at": AT})]),
    (("closed", "by_reason"), ClosingReason,
     lambda v: [("melding_received", received()), ("melding_closed", closed(v))]),
]


def section(figures: dict[str, Any], path: tuple[str, ...]) -> dict[str, int]:
    for key in path:
        figures = figures[key]
    return figures


@pytest.mark.parametrize(("path", "vocabulary", "events"), SECTIONS,
                         ids=[".".join(path) for path, _, _ in SECTIONS])
def test_each_section_counts_every_value_of_its_literal(
    path: tuple[str, ...], vocabulary: Any, events: Any
) -> None:
    values = get_args(vocabulary)
    assert set(section(AnnualFigures().figures(2026), path)) == set(values)
    for value in values:
        figures = AnnualFigures()
        for kind, data in events(value):
            figures.apply(kind, data)
        counted = section(figures.figures(2026), path)
        assert counted[value] == 1, (value, counted)
        assert sum(counted.values()) == 1, (value, counted)


def test_a_melding_closed_for_a_police_report_is_in_the_closing_reasons() -> None:
    figures = AnnualFigures()
    figures.apply("melding_received", received())
    figures.apply("melding_closed", closed("police_report"))
    assert figures.figures(2026)["closed"]["by_reason"]["police_report"] == 1


def test_contact_moments_have_a_section_per_adviser() -> None:
    assert set(AnnualFigures().figures(2026)["contact_moments"]) == set(get_args(Adviser))


@pytest.mark.parametrize("vocabulary", [Theme, Kind, Channel, Outcome, Conclusion,
                                        MeasureKind, ClosingReason])
def test_the_report_page_has_a_dutch_label_for_every_value(vocabulary: Any) -> None:
    assert [value for value in get_args(vocabulary) if value not in LABELS] == []
