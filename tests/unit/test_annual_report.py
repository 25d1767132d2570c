"""A scripted year of meldingen gives exactly the expected annual figures.

The script is also what the integration tests publish to a real nats-server.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from services.reporting.domain.figures import AnnualFigures, local_year
from services.reporting.domain.publication import cell, rows, suppress
from shared.clock import MovableClock
from shared.contracts import (
    CaseClosed,
    ContactMomentRecorded,
    FinalReportIssued,
    IntegrationEvent,
    InterimMeasureTaken,
    MeldingAssessed,
    MeldingClosed,
    MeldingDecided,
    MeldingReceived,
    ReporterMessaged,
    ReprisalComplaintRecorded,
)

SOURCE = {"melding_received": "intake", "contact_moment_recorded": "intake",
          "melding_assessed": "triage", "melding_decided": "triage",
          "reporter_messaged": "triage", "melding_closed": "triage",
          "melding_reopened": "triage", "police_report_recorded": "triage",
          "final_report_issued": "investigation", "case_closed": "investigation",
          "interim_measure_taken": "investigation", "reprisal_complaint_recorded": "triage"}
#: The interim measures taken in the first two investigations, and the meldingen with a
#: complaint of reprisal (two on the first).
INTERIM = {0: "suspension", 1: "change_of_duties"}
REPRISALS = {0: 2, 5: 1}

# (theme, kind, channel, acknowledged late, admissible, outcome, conclusion, measures,
#  feedback: "in time" | "late" | None)
MELDINGEN: list[tuple[Any, ...]] = [
    ("gifts", "integrity_violation", "web", False, True, ["investigation"], "founded",
     ["written_reprimand"], "in time"),
    ("gifts", "integrity_violation", "web", False, True, ["investigation"], "founded",
     ["dismissal", "process_change"], "in time"),
    ("gifts", "integrity_violation", "web", True, True, ["investigation"], "unfounded",
     ["none"], "late"),
    ("gifts", "integrity_violation", "web", False, True, ["conversation"], None, ["none"],
     "in time"),
    ("gifts", "integrity_violation", "web", False, False, None, None, None, "in time"),
    ("conduct", "undesirable_behaviour", "confidential_adviser_conduct", False, True,
     ["investigation"], "partly_founded", ["training"], "in time"),
    ("conduct", "undesirable_behaviour", "confidential_adviser_conduct", True, True,
     ["conversation"], None, ["none"], "late"),
    ("conduct", "undesirable_behaviour", "confidential_adviser_conduct", False, True,
     ["conversation"], None, ["none"], "in time"),
    ("conduct", "undesirable_behaviour", "confidential_adviser_conduct", False, False, None,
     None, None, "in time"),
    ("interests", "wrongdoing", "manager", False, True, ["no_action"], None, None, "in time"),
    ("interests", "wrongdoing", "manager", True, True, ["investigation", "police_report"],
     "founded", ["written_reprimand"], "late"),
    ("information", "eu_law_breach", "meldpunt", False, True, ["no_action"], None, None,
     "in time"),
    ("other", "integrity_violation", "web", False, False, None, None, None, None),
]
# The last one arrives at 23:30 UTC on 31 December 2024: 00:30 on 1 January 2025 here.
NEW_YEARS_NIGHT = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def melding_id(index: int) -> str:
    return str(uuid5(NAMESPACE_URL, f"melding-{index}"))


def scripted_year() -> Iterator[IntegrationEvent]:
    """The year 2025 as the services would publish it, in causal order, with a clock
    that moves: late acknowledgements and late feedback included."""
    clock = MovableClock(START)
    for index, (theme, kind, channel, ack_late, admissible, outcome, conclusion, measures,
                feedback) in enumerate(MELDINGEN):
        mid = melding_id(index)
        clock.set(NEW_YEARS_NIGHT if index == len(MELDINGEN) - 1
                  else START + timedelta(days=20 * index))
        received = clock.now()
        clock.advance(timedelta(days=8) if ack_late else timedelta(hours=2))
        yield MeldingReceived(
            melding_id=mid, kind=kind, theme=theme, channel=channel,
            description="Beschrijving die nooit in een rapport komt.", involved=["iemand"],
            occurred=None, anonymous=True, identity=None, received_at=received,
            acknowledged_at=clock.now())
        acknowledged = clock.now()
        clock.advance(timedelta(days=10))
        yield MeldingAssessed(
            melding_id=mid, admissible=admissible, reasonable_grounds=admissible,
            code_violation=admissible, severity="medium", theme=theme,
            advice=outcome[0] if outcome else "no_action", assessed_by="mp", at=clock.now())
        yield ReporterMessaged(melding_id=mid, body="Een vraag.", purpose="message",
                               at=clock.now())
        if not admissible:
            yield MeldingClosed(melding_id=mid, reason="inadmissible", at=clock.now())
        else:
            clock.advance(timedelta(days=5))
            yield MeldingDecided(
                melding_id=mid, outcome=outcome, theme=theme, involved=["iemand"],
                assessed_by="mp", decided_by="ca",
                police_report_on=clock.now().date() if "police_report" in outcome else None,
                at=clock.now())
            if index in INTERIM:
                clock.advance(timedelta(days=3))
                yield InterimMeasureTaken(melding_id=mid, kind=INTERIM[index], at=clock.now())
            for _ in range(REPRISALS.get(index, 0)):
                clock.advance(timedelta(days=1))
                yield ReprisalComplaintRecorded(melding_id=mid, at=clock.now())
            if conclusion is not None:
                clock.advance(timedelta(days=30))
                yield FinalReportIssued(melding_id=mid, conclusion=conclusion, at=clock.now())
            if measures is not None:
                clock.advance(timedelta(days=5))
                path = "investigation" if conclusion else "conversation"
                yield CaseClosed(melding_id=mid, path=path, measure_kinds=measures,
                                 measure_targets=["person"] * len(measures),
                                 feedback="Afgerond.", at=clock.now())
                yield MeldingClosed(melding_id=mid, reason="case_closed", at=clock.now())
            else:
                yield MeldingClosed(melding_id=mid, reason="no_action", at=clock.now())
        if feedback is not None:
            # Three calendar months from the acknowledgement, give or take two days.
            clock.set(acknowledged + timedelta(days=85 if feedback == "in time" else 95))
            yield ReporterMessaged(melding_id=mid, body="Terugkoppeling.", purpose="feedback",
                                   at=clock.now())
            clock.advance(timedelta(days=1))
            yield ReporterMessaged(melding_id=mid, body="Nog een.", purpose="feedback",
                                   at=clock.now())
    # A melding of the next year, and contact moments in this year and the one before.
    yield MeldingReceived(
        melding_id=melding_id(99), kind="wrongdoing", theme="gifts", channel="web",
        description="Volgend jaar.", involved=[], occurred=None, anonymous=False,
        identity=None, received_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        acknowledged_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    for adviser, theme, count in (("integrity", "gifts", 3), ("integrity", "interests", 1),
                                  ("conduct", "conduct", 4), ("conduct", "other", 1)):
        for day in range(count):
            yield ContactMomentRecorded(adviser=adviser, theme=theme,
                                        date=date(2025, 3, 1 + day))
    yield ContactMomentRecorded(adviser="integrity", theme="gifts", date=date(2024, 12, 31))


def zeros(keys: str) -> dict[str, int]:
    return dict.fromkeys(keys.split(), 0)


EXPECTED_2025: dict[str, Any] = {
    "year": 2025,
    "meldingen": {
        "total": 13,
        "by_theme": {**zeros("interests conduct gifts resources information private_conduct "
                             "subversion other"),
                     "gifts": 5, "conduct": 4, "interests": 2, "information": 1, "other": 1},
        "by_kind": {"integrity_violation": 6, "wrongdoing": 2, "eu_law_breach": 1,
                    "undesirable_behaviour": 4},
        "by_channel": {"web": 6, "manager": 2, "confidential_adviser_integrity": 0,
                       "confidential_adviser_conduct": 4, "meldpunt": 1},
    },
    "contact_moments": {
        "integrity": {"total": 4, "by_theme": {
            **zeros("interests conduct gifts resources information private_conduct "
                    "subversion other"), "gifts": 3, "interests": 1}},
        "conduct": {"total": 5, "by_theme": {
            **zeros("interests conduct gifts resources information private_conduct "
                    "subversion other"), "conduct": 4, "other": 1}},
    },
    "admissibility": {"admissible": 10, "inadmissible": 3},
    "decisions": {"by_outcome": {"no_action": 2, "conversation": 3, "investigation": 5,
                                 "police_report": 1, "referral": 0}},
    "police_reports": 1,
    "conversations": 3,
    "investigations": {"held": 5, "by_conclusion": {"founded": 3, "partly_founded": 1,
                                                    "unfounded": 1, "not_established": 0},
                       "measures_after": {**zeros("none written_reprimand suspension "
                                                  "dismissal summary_dismissal process_change "
                                                  "training other"),
                                          "none": 1, "written_reprimand": 2, "dismissal": 1,
                                          "process_change": 1, "training": 1}},
    "measures": {"by_kind": {**zeros("none written_reprimand suspension dismissal "
                                     "summary_dismissal process_change training other"),
                             "none": 4, "written_reprimand": 2, "dismissal": 1,
                             "process_change": 1, "training": 1}},
    "interim_measures": {"by_kind": {"suspension": 1, "non_active": 0,
                                     "change_of_duties": 1}},
    "reprisal_complaints": 3,
    "closed": {"by_reason": {"inadmissible": 3, "no_action": 2, "referral": 0,
                             "police_report": 0, "case_closed": 8}},
    "open_at_year_end": {"total": 0, "by_age": zeros("under_3_months 3_to_6_months "
                                                     "6_to_12_months over_12_months")},
    "terms": {
        "acknowledgement": {"within": 10, "late": 3, "share_within": 0.7692},
        "feedback": {"within": 9, "late": 3, "pending": 1, "share_within": 0.75},
    },
}


def project(events: Iterator[IntegrationEvent]) -> AnnualFigures:
    figures = AnnualFigures()
    for event in events:
        figures.apply(event.type, event.model_dump(mode="json"))
    return figures


def test_a_scripted_year_gives_exactly_the_expected_figures() -> None:
    figures = project(scripted_year())
    assert figures.figures(2025) == EXPECTED_2025
    assert figures.years() == [2024, 2025, 2026]
    # The next year holds one melding, the year before one contact moment.
    assert figures.figures(2026)["meldingen"]["total"] == 1
    assert figures.figures(2024)["contact_moments"]["integrity"]["total"] == 1
    assert figures.figures(2024)["meldingen"]["total"] == 0


def test_published_figures_hide_small_cells_but_not_zero() -> None:
    published = suppress(project(scripted_year()).figures(2025), threshold=3)
    assert published["threshold"] == 3
    assert published["meldingen"]["by_theme"]["interests"] == "<3"
    assert published["meldingen"]["by_theme"]["information"] == "<3"
    assert published["meldingen"]["by_theme"]["resources"] == 0
    assert published["meldingen"]["by_theme"]["gifts"] == 5
    assert published["police_reports"] == "<3"
    assert published["terms"]["acknowledgement"] == {"within": 10, "late": 3,
                                                      "share_within": 0.7692}
    assert published["terms"]["feedback"]["pending"] == "<3"
    # 13 meldingen, 9 in time, 1 pending: the late ones and the share would give it away.
    assert published["terms"]["feedback"]["late"] == "x"
    assert published["terms"]["feedback"]["share_within"] == "x"
    assert published["year"] == 2025


def test_csv_rows_carry_every_figure_and_no_formula() -> None:
    published = suppress(project(scripted_year()).figures(2025), threshold=3)
    table = list(rows(published))
    assert ("meldingen.by_theme", "gifts", 5) in table
    assert ("police_reports", "", "<3") in table
    assert ("terms.acknowledgement", "share_within", 0.7692) in table
    assert ("terms.feedback", "share_within", "x") in table
    out = io.StringIO()
    csv.writer(out).writerows([[cell(v) for v in row] for row in table])
    assert "=" not in out.getvalue()
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("+1") == "'+1" and cell("@x") == "'@x" and cell(7) == 7


def test_copies_of_once_only_steps_count_once() -> None:
    events = list(scripted_year())
    copies = [e for e in events if e.type in ("melding_decided", "case_closed",
                                              "melding_closed", "final_report_issued",
                                              "melding_received", "interim_measure_taken",
                                              "reprisal_complaint_recorded")]
    assert project(iter(events + copies)).figures(2025) == EXPECTED_2025


def test_the_year_is_the_organisations_local_year() -> None:
    assert local_year("2024-12-31T23:30:00+00:00") == 2025
    assert local_year("2025-01-01T00:30:00+02:00") == 2024
    assert local_year("2025-06-30T23:30:00+00:00") == 2025
    assert local_year("2025-12-31T22:59:00Z") == 2025


def test_a_fresh_projection_of_the_same_events_has_the_same_digest() -> None:
    assert project(scripted_year()).digest() == project(scripted_year()).digest()
    other = project(scripted_year())
    other.apply("melding_closed", {"melding_id": "x", "reason": "referral",
                                   "at": "2025-05-01T10:00:00+00:00"})
    assert other.digest() != project(scripted_year()).digest()


def received(figures: AnnualFigures, mid: str, at: str) -> None:
    figures.apply("melding_received", {"melding_id": mid, "theme": "gifts", "kind": "wrongdoing",
                                       "channel": "web", "received_at": at,
                                       "acknowledged_at": at})


def test_meldingen_open_at_year_end_are_counted_by_age_whatever_their_year() -> None:
    figures = AnnualFigures()
    received(figures, "old", "2024-06-01T10:00:00+00:00")  # 19 months open at end 2025
    received(figures, "spring", "2025-03-01T10:00:00+00:00")
    received(figures, "autumn", "2025-09-15T10:00:00+00:00")
    received(figures, "december", "2025-12-20T10:00:00+00:00")
    received(figures, "closed", "2025-02-01T10:00:00+00:00")
    # Closed on new year's night local time: still open at the end of 2025.
    figures.apply("melding_closed", {"melding_id": "december", "reason": "no_action",
                                     "at": "2025-12-31T23:30:00+00:00"})
    figures.apply("melding_closed", {"melding_id": "closed", "reason": "no_action",
                                     "at": "2025-11-01T10:00:00+00:00"})
    assert figures.figures(2025)["open_at_year_end"] == {"total": 4, "by_age": {
        "under_3_months": 1, "3_to_6_months": 1, "6_to_12_months": 1, "over_12_months": 1}}
    # At the end of 2024 only the one from June was there, and open for 7 months.
    assert figures.figures(2024)["open_at_year_end"]["by_age"]["6_to_12_months"] == 1
    assert figures.figures(2024)["open_at_year_end"]["total"] == 1
