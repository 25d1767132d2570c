"""Whose queue shows what: the meldpunt every melding, a competent authority those
assigned to them, nobody one they are concerned in or recused from; a reassignment
moves a melding from one authority's queue to the other's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from services.triage.domain.report import Report
from services.triage.domain.routing import DEFAULT_TABLE, Routing
from services.triage.views import Queue
from shared.authz import PERMISSIONS, may_see
from shared.directory import Directory, StaffEntry

START = datetime(2025, 1, 1, tzinfo=UTC)


def assessed(n: int, authority: str | None, concerned: list[str]) -> Report:
    moment = START + timedelta(days=n)
    report = Report(melding_id=UUID(int=n + 1), kind="wrongdoing", theme="gifts",
                    channel="web", description="d", involved=[], occurred=None,
                    anonymous=False, identity=None, received_at=moment,
                    acknowledged_at=moment)
    report.assess(admissible=True, reasonable_grounds=True, code_violation=True,
                  severity="low", theme="gifts", advice="conversation", motivation="m",
                  feedback="f", concerned_staff=concerned,
                  by="max" if "mia" in concerned else "mia", at=moment,
                  routing=Routing(authority, "unknown: default", "test"))
    return report


def ids(queue: Queue, role: str, sub: str, **filters: str) -> list[int]:
    page = queue.page(now=START, reader=(role, sub), **filters)  # type: ignore[arg-type]
    assert page.total == len(page.entries)
    return [entry.id.int - 1 for entry in page.entries]


def test_each_reader_pages_only_what_they_may_see() -> None:
    reports = [assessed(0, "bert", []), assessed(1, "carla", ["max"]),
               assessed(2, "bert", ["mia"]), assessed(3, None, [])]
    queue = Queue()
    for report in reports:
        for event in report.collect_events():
            queue.apply(event)

    assert ids(queue, "meldpunt", "mia") == [0, 1, 3]  # not 2: mia is concerned in it
    assert ids(queue, "meldpunt", "max") == [0, 2, 3]
    assert ids(queue, "competent_authority", "Bert") == [0, 2]
    assert ids(queue, "competent_authority", "carla", status="assessed") == [1]
    assert ids(queue, "competent_authority", "dora") == []

    # bert recuses from 0; the meldpunt hands 2 to carla (in the directory).
    directory = Directory()
    for event in StaffEntry(sub="carla", name="Carla", email="carla@example.org",
                            roles=["competent_authority"], function=None,
                            reports_to=None).collect_events():
        directory.apply(event)
    reports[0].recuse(reason="zwager", by="bert", at=START)
    reports[2].reassign(sub="carla", motivation="bert is afwezig", table=DEFAULT_TABLE,
                        people=directory, by="max", at=START)
    for report in (reports[0], reports[2]):
        for event in report.collect_events():
            queue.apply(event)
    assert ids(queue, "competent_authority", "bert") == []
    assert ids(queue, "competent_authority", "carla") == [1, 2]
    assert ids(queue, "meldpunt", "mia") == [0, 1, 3]


def test_a_melding_assessed_before_routing_is_the_default_authoritys() -> None:
    """Existing data: an assessment stored before routing existed (no routing event)
    puts the melding in the default competent authority's queue; the meldpunt finds
    the flagged ones by the filter."""
    legacy, flagged = assessed(0, "bert", []), assessed(1, None, [])
    queue = Queue(default_authority="dora")
    for event in legacy.collect_events():
        if not isinstance(event, Report.Routed):
            queue.apply(event)
    for event in flagged.collect_events():
        queue.apply(event)
    assert ids(queue, "competent_authority", "dora") == [0]
    assert ids(queue, "meldpunt", "mia", status="assessed") == [0, 1]
    page = queue.page(now=START, reader=("meldpunt", "mia"), flagged=True)
    assert [(e.id.int - 1, e.authority) for e in page.entries] == [(1, None)]
    assert page.total == 1


def test_the_queues_condition_and_the_need_to_know_rule_agree() -> None:
    """The queue filters in SQL by `shared.authz.visibility`; for every role and
    every kind of party it lists exactly the meldingen `may_see` lets the reader see."""
    reports = [assessed(0, "bert", []), assessed(1, "carla", ["max"]),
               assessed(2, "Bert", ["mia", "carla"]), assessed(3, None, []),
               assessed(4, "max", ["bert"])]
    queue = Queue()
    for report in reports:
        for event in report.collect_events():
            queue.apply(event)
    reports[0].recuse(reason="zwager", by="bert", at=START)
    queue.apply_all(reports[0].collect_events())
    entries = queue.page(now=START, limit=100).entries
    roles = sorted({role for roles in PERMISSIONS.values() for role in roles})
    assert {"meldpunt", "competent_authority"} <= set(roles)
    for role in roles:
        for sub in ("mia", "max", "bert", "BERT", "carla", "dora"):
            expected = [e.id.int - 1 for e in entries if may_see(role, sub, e.parties)]
            assert ids(queue, role, sub) == expected, (role, sub)
