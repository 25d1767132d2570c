"""The queue's narrower filters, its order by nearest deadline and the search's words,
against the obvious answer: filtering and sorting every melding by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.adapters.queue_parts import Narrowing, words_of
from services.triage.desk.domain.desk import Desk
from services.triage.domain.report import Report
from services.triage.domain.routing import Routing
from services.triage.views import Queue
from shared.terms import deadlines, overdue_from

START = datetime(2025, 1, 1, tzinfo=UTC)
KINDS = ["wrongdoing", "integrity_violation"]
CHANNELS = ["web", "meldpunt"]
WORDS = ["Laptop", "fraude", "gift"]
ROUTED = Routing("bert", "unknown: default", "test")

filed = st.lists(st.tuples(st.integers(0, 200), st.sampled_from(KINDS),
                           st.sampled_from(CHANNELS), st.sampled_from(WORDS),
                           st.booleans(), st.sampled_from([None, "low", "high"]),
                           st.sampled_from(["none", "unread", "read"]),
                           st.sampled_from([None, 2, 200])),
                 min_size=1, max_size=20)


def melding(n: int, fields: tuple[Any, ...]) -> tuple[Report, list[Any]]:
    """The melding and its desk's events (replies read or not)."""
    day, kind, channel, word, acknowledged, severity, reply, feedback = fields
    moment = START + timedelta(days=day)
    report = Report(melding_id=UUID(int=n + 1), kind=kind, theme="gifts", channel=channel,
                    description=f"Over de {word}, en meer.", involved=[], occurred=None,
                    anonymous=False, identity=None, received_at=moment,
                    acknowledged_at=moment + timedelta(days=0 if acknowledged else 30))
    if severity:
        report.assess(admissible=True, reasonable_grounds=True, code_violation=True,
                      severity=severity, theme="gifts", advice="conversation",
                      motivation="m", feedback="f", by="mia", at=moment, routing=ROUTED)
    if feedback is not None and severity:
        report.message_reporter(body="b", purpose="feedback", by="mia",
                                at=moment + timedelta(days=feedback))
    desk = Desk(report.id)
    if reply != "none":
        report.record_reply(body="antwoord", at=moment + timedelta(days=1))
    if reply == "read":
        desk.read_replies(up_to=moment + timedelta(days=1), by="mia",
                          at=moment + timedelta(days=2))
    return report, list(desk.collect_events())


def nearest(report: Report) -> tuple[float, datetime, UUID]:
    moment = overdue_from(deadlines(report.received_at, report.acknowledged_at),
                          report.acknowledged_at, report.feedback_at)
    return (moment.timestamp() if moment else float("inf"), report.received_at, report.id)


@settings(max_examples=150, deadline=None)
@given(filed, st.sampled_from([None, *KINDS]), st.sampled_from([None, *CHANNELS]),
       st.sampled_from([None, "low", "high"]), st.sampled_from([None, True, False]),
       st.sampled_from([None, "laptop", "FRAUDE", "de", "laptop fraude"]),
       st.sampled_from(["received", "deadline"]), st.integers(0, 4), st.integers(1, 6))
def test_a_narrowed_page_is_what_filtering_everything_gives(
    fields: list[tuple[Any, ...]], kind: Any, channel: Any, severity: Any, unread: Any,
    query: str | None, sort: Any, offset: int, limit: int,
) -> None:
    made = [melding(n, f) for n, f in enumerate(fields)]
    reports = [report for report, _ in made]
    unread_ones = {report.id for report, desk in made
                   if any(m["from"] == "reporter" for m in report.messages)
                   and not any(e.__class__.__name__ == "RepliesRead" for e in desk)}
    queue = Queue()
    for report, desk in made:
        for domain_event in [*report.collect_events(), *desk]:
            queue.apply(domain_event)
    words = words_of(query or "")
    expected = [r for r in reports
                if (kind is None or r.kind == kind) and (channel is None or r.channel == channel)
                and (severity is None or (r.assessment or {}).get("severity") == severity)
                and (unread is None or (r.id in unread_ones) == unread)
                and all(w in r.description.casefold().replace(",", " ").replace(".", " ")
                        .split() for w in words)]
    expected.sort(key=nearest if sort == "deadline" else lambda r: (r.received_at, r.id))
    page = queue.page(now=START, offset=offset, limit=limit, sort=sort,
                      narrowing=Narrowing(kind=kind, channel=channel, severity=severity,
                                          reply_unread=unread, words=words))
    assert page.total == len(expected)
    assert [e.id for e in page.entries] == [r.id for r in expected[offset:offset + limit]]


def test_the_meldpunt_opening_a_melding_clears_the_unread_mark() -> None:
    report, desk_events = melding(0, (0, "wrongdoing", "web", "gift", True, "low", "unread",
                                      None))
    queue = Queue()
    for domain_event in [*report.collect_events(), *desk_events]:
        queue.apply(domain_event)
    unread = Narrowing(reply_unread=True)
    assert queue.page(now=START, narrowing=unread).total == 1
    desk = Desk(report.id)
    assert desk.unread(START + timedelta(days=1))
    desk.read_replies(up_to=START + timedelta(days=1), by="mia", at=START + timedelta(days=3))
    assert not desk.unread(START + timedelta(days=1))
    for domain_event in desk.collect_events():
        queue.apply(domain_event)
    assert queue.page(now=START, narrowing=unread).total == 0
    report.record_reply(body="nog iets", at=START + timedelta(days=4))
    for domain_event in report.collect_events():
        queue.apply(domain_event)
    assert queue.page(now=START, narrowing=unread).total == 1
