"""Two console processes on one store (replicas): each applies the same mails' events
at once (one's start reads what the other's commits wrote), and each some of its own.
Every mail has one row, each a place in the order of its own (no two alike, none
reused), and none is lost to a commit that failed on the other's row. On SQLite and
on PostgreSQL, in real processes."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.console.bootstrap import build_application
from services.console.notifications.domain.notices import Notice
from services.console.notifications.views import NoticeBoard, lapsed, mails
from shared.config import Settings
from shared.recorders import core_events

SHARED, OWN = 60, 30  # mails both apply; mails each applies alone


def decided(number: int) -> list[Any]:
    """The events of mail `number` (the same in every process: natural ids)."""
    notice = Notice(key=f"melding_received/m{number}", sub="mia", email="mia@example.org",
                    occasion="response_term_lapsed" if number % 3 == 0 else "melding_received",
                    melding_id=f"m{number}", due=None, delivery="immediate",
                    at=datetime.now(UTC))
    return list(notice.collect_events())


def replica(settings: Settings, numbers: list[int], start: Any, failures: Any) -> None:
    app = build_application(settings)
    try:
        board = NoticeBoard(core_events(app.recorder).engine())
        events = [event for number in numbers for event in decided(number)]
        start.wait(60)  # both boards made, then both at once
        for at in range(0, len(events), 3):  # a commit's few events at a time
            try:
                board.apply_all(events[at:at + 3])
            except Exception as exc:  # noqa: BLE001 - reported to the test
                failures.put(f"{type(exc).__name__}: {exc}")
    finally:
        app.close()


def test_two_consoles_on_one_store_neither_double_nor_lose_a_mail(settings: Settings) -> None:
    app = build_application(settings)  # the store and the board's tables, made once
    NoticeBoard(core_events(app.recorder).engine())
    app.close()
    context = multiprocessing.get_context("spawn")
    start, failures = context.Barrier(2), context.Queue()
    shared = list(range(SHARED))
    mine = [shared + list(range(SHARED, SHARED + OWN)),
            list(reversed(shared)) + list(range(SHARED + OWN, SHARED + 2 * OWN))]
    processes = [context.Process(target=replica, args=(settings, numbers, start, failures))
                 for numbers in mine]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    errors = []
    while not failures.empty():
        errors.append(failures.get())
    assert errors == []

    app = build_application(settings)
    try:
        with core_events(app.recorder).engine().connect() as connection:
            rows = connection.execute(select(mails.c.mail_id, mails.c.seq, mails.c.state)).all()
            lapses = connection.execute(select(lapsed.c.melding_id, lapsed.c.seq)).all()
    finally:
        app.close()
    expected = {str(Notice.create_id(f"melding_received/m{n}", "mia"))
                for n in range(SHARED + 2 * OWN)}
    assert sorted(r.mail_id for r in rows) == sorted(expected)  # each once, none lost
    assert {r.state for r in rows} == {"waiting"}
    places = [r.seq for r in rows] + [r.seq for r in lapses]
    assert len(set(places)) == len(places)  # no place handed out twice
    assert sorted(m for m, _ in lapses) == sorted(
        f"m{n}" for n in range(SHARED + 2 * OWN) if n % 3 == 0)
