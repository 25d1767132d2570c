"""The closing feedback the meldpunt owes, as the queue lists it: due from the closing
for `closing_feedback_days`, gone once given, at a reopening or at the shredding, and
never due for a closing from before the meldpunt wrote it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.triage.adapters.queue_parts import Narrowing
from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from services.triage.views import Queue

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def closed() -> Report:
    report = Report(melding_id=uuid4(), kind="integrity_violation", theme="gifts",
                    channel="web", description="Een fiets.", involved=[], occurred=None,
                    anonymous=True, identity=None, received_at=NOW, acknowledged_at=NOW)
    report.assess(admissible=True, reasonable_grounds=True, code_violation=True,
                  severity="low", theme="gifts", advice="no_action", motivation="m",
                  feedback="", by="mia", at=NOW, routing=Routing("bert", "r", "test"))
    report.decide(outcome=["no_action"], motivation="m", police_report_on=None,
                  feedback="Het bevoegd gezag: geen actie.", by="bert", at=NOW)
    return report


def due_ids(queue: Queue, due: bool = True) -> set[str]:
    page = queue.page(now=NOW, narrowing=Narrowing(closing_feedback_due=due))
    return {str(entry.id) for entry in page.entries}


def feed(queue: Queue, report: Report) -> None:
    for domain_event in report.collect_events():
        queue.apply(domain_event)


def test_a_closing_is_due_until_the_meldpunt_gives_its_feedback() -> None:
    queue = Queue(closing_feedback_days=5)
    waiting, given, open_one = closed(), closed(), closed()
    given.give_closing_feedback(body="Afgerond.", by="mia", at=NOW)
    open_one.reopen(motivation="Nieuwe feiten.", by="bert", at=NOW)
    for report in (waiting, given, open_one):
        feed(queue, report)
    assert due_ids(queue) == {str(waiting.id)}
    assert due_ids(queue, due=False) == {str(given.id), str(open_one.id)}
    [entry] = queue.page(now=NOW, narrowing=Narrowing(closing_feedback_due=True)).entries
    assert entry.closing_feedback_due_by == NOW + timedelta(days=5)


def test_a_shredded_melding_leaves_the_due_list() -> None:
    queue = Queue()
    report = closed()
    feed(queue, report)
    assert due_ids(queue) == {str(report.id)}
    report.shred(term="no_follow_up", at=NOW + timedelta(days=400))
    feed(queue, report)
    assert due_ids(queue) == set()


def test_a_closing_from_before_the_meldpunt_wrote_it_is_not_due() -> None:
    """Such a closing sent its text itself: its `Closed` event has no start."""
    queue = Queue()
    report = closed()
    events = report.collect_events()
    for domain_event in events:
        if isinstance(domain_event, Report.Closed):
            object.__setattr__(domain_event, "start", "")
        queue.apply(domain_event)
    assert due_ids(queue) == set()
