"""Group commit on a real intake application and store: concurrent callers' saves share
one `Application.save`, yet each caller returns only once its own melding is stored and
hears only of its own failure; a caller that gives up is still stored; callers still
waiting when the committer is stopped hear so instead of hanging."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from services.intake.adapters.filing import Filing
from services.intake.adapters.group_commit import GroupCommit
from services.intake.application import Draft, IntakeApplication, Submission
from services.intake.bootstrap import build_application
from shared.errors import NotFound, Unavailable
from tests.support import eventually, make_settings


@pytest.fixture
def intake(tmp_path: Path, database_url: str | None) -> Iterator[IntakeApplication]:
    """Intake's application on a fresh store (SQLite file, or a PostgreSQL database)."""
    settings = make_settings(tmp_path / "var", "nats://127.0.0.1:1", database_url)
    application = build_application(settings)
    yield application
    application.close()


def submission(n: int) -> Submission:
    return Submission(kind="integrity_violation", theme="gifts", description=f"melding {n}",
                      anonymous=False,
                      identity={"name": f"Melder {n}", "email": f"m{n}@example.org"})


def draft(intake: IntakeApplication, n: int) -> Draft:
    return intake.draft_report(submission(n))


def wrap_save(intake: IntakeApplication,
              before: Callable[[tuple[Any, ...]], None]) -> None:
    """Call `before` with the objects of every `Application.save`, then save them."""
    save = intake.save

    def wrapped(*objs: Any, **kwargs: Any) -> Any:
        before(objs)
        return save(*objs, **kwargs)

    intake.save = wrapped  # type: ignore[method-assign]


def count_saves(intake: IntakeApplication) -> list[int]:
    """The number of events given to each `Application.save`, in order."""
    calls: list[int] = []
    wrap_save(intake, lambda objs: calls.append(len(objs)))
    return calls


def is_stored(intake: IntakeApplication, melding_id: UUID) -> bool:
    try:
        intake.get_report(melding_id)
    except NotFound:
        return False
    return True


@pytest.mark.parametrize("max_batch", [64, 8])
async def test_concurrent_saves_share_commits_and_each_returns_once_stored(
    intake: IntakeApplication, max_batch: int
) -> None:
    """50 concurrent callers take fewer saves than callers (at most `max_batch` callers
    each), and every caller finds its own melding stored the moment it returns."""
    calls = count_saves(intake)
    commit = GroupCommit(intake, max_batch=max_batch)
    drafts = [draft(intake, n) for n in range(50)]

    async def save_and_read(d: Draft) -> str:
        await commit.save(*d.aggregates)
        return intake.get_report(d.filed.id).description  # no waiting: already stored

    descriptions = await asyncio.gather(*(save_and_read(d) for d in drafts))

    assert descriptions == [f"melding {n}" for n in range(50)]
    assert all(intake.find_by_receipt(d.filed.receipt) == d.filed.id for d in drafts)
    events_per_melding = 2  # Report.Filed, Report.Acknowledged (the receipt: its book)
    assert sum(calls) == 50 * events_per_melding
    assert 1 <= len(calls) < 50
    assert max(calls) <= max_batch * events_per_melding


async def test_filing_stores_concurrent_meldingen_together_each_found_once_answered(
    intake: IntakeApplication,
) -> None:
    """`Filing`, the API's and the web form's write path: concurrent meldingen share
    saves, and each one's receipt opens it the moment its filing returns."""
    calls = count_saves(intake)
    filing = Filing(intake)

    async def file_and_open(n: int) -> bool:
        filed = await filing.file(submission(n))
        return intake.find_by_receipt(filed.receipt) == filed.id

    assert all(await asyncio.gather(*(file_and_open(n) for n in range(20))))
    assert 1 <= len(calls) < 20


async def test_a_conflicting_caller_alone_gets_the_integrity_error(
    intake: IntakeApplication,
) -> None:
    """Two copies of one stored melding, each changed once, in one batch: the batch fails,
    is saved again caller by caller, and only the later copy's caller raises."""
    filed = intake.file_report(submission(0))
    first, second = intake.get_report(filed.id), intake.get_report(filed.id)
    first.reply(body="first", at=intake.clock.now())
    second.reply(body="second", at=intake.clock.now())  # the same version as `first`'s
    drafts = [draft(intake, n) for n in range(1, 11)]
    calls = count_saves(intake)
    commit = GroupCommit(intake)

    callers = [commit.save(*d.aggregates) for d in drafts]
    callers.insert(3, commit.save(first))
    callers.insert(7, commit.save(second))
    results = await asyncio.gather(*callers, return_exceptions=True)

    assert isinstance(results[7], IntegrityError), results[7]
    assert [r for i, r in enumerate(results) if i != 7] == [None] * 11
    assert all(is_stored(intake, d.filed.id) for d in drafts)
    assert [m["body"] for m in intake.get_report(filed.id).messages][-1] == "first"
    assert calls[0] == 10 * 2 + 2  # tried together first, then once per caller
    assert len(calls) == 1 + 12


async def test_a_caller_cancelled_while_waiting_is_still_stored(
    intake: IntakeApplication,
) -> None:
    """A caller queued behind a commit in progress, then cancelled (a client that went
    away), has its melding stored all the same."""
    entered, release = threading.Event(), threading.Event()

    def hold_first_save(_: tuple[Any, ...]) -> None:
        if not entered.is_set():
            entered.set()
            release.wait(timeout=30)

    wrap_save(intake, hold_first_save)
    commit = GroupCommit(intake)
    ahead, cancelled = draft(intake, 1), draft(intake, 2)

    first = asyncio.create_task(commit.save(*ahead.aggregates))
    await eventually(entered.is_set)  # the first commit is in its thread, held
    waiting = asyncio.create_task(commit.save(*cancelled.aggregates))
    await asyncio.sleep(0)  # `waiting` has queued its events behind that commit
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not is_stored(intake, cancelled.filed.id)

    release.set()
    await first
    await eventually(lambda: is_stored(intake, cancelled.filed.id))
    assert intake.find_by_receipt(cancelled.filed.receipt) == cancelled.filed.id


@dataclass
class Gate:
    """Holds the first `Application.save` in its thread until `release` is set."""

    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


def hold_first_save(intake: IntakeApplication) -> Gate:
    gate, save = Gate(), intake.save

    def held(*objs: Any, **kwargs: Any) -> Any:
        if gate.entered.is_set():
            return save(*objs, **kwargs)
        gate.entered.set()
        gate.release.wait(timeout=30)
        try:
            return save(*objs, **kwargs)
        finally:
            gate.finished.set()

    intake.save = held  # type: ignore[method-assign]
    return gate


async def test_a_hard_stop_tells_queued_callers_unavailable_and_in_flight_ones_the_outcome(
    intake: IntakeApplication,
) -> None:
    """A hard stop (the committer task cancelled) while a batch is in its thread and more
    callers are queued behind it: the queued ones (never stored) raise Unavailable at
    once; the batch in its thread cannot be stopped, so its callers get its real
    outcome when it ends (stored, so no "try again" that would file it twice)."""
    gate = hold_first_save(intake)
    commit = GroupCommit(intake, max_batch=2)
    try:
        drafts = [draft(intake, n) for n in range(7)]
        in_flight = [asyncio.create_task(commit.save(*d.aggregates)) for d in drafts[:2]]
        await eventually(gate.entered.is_set)  # both in the first batch, held in its thread
        queued = [asyncio.create_task(commit.save(*d.aggregates)) for d in drafts[2:]]
        await asyncio.sleep(0)
        assert commit._committer is not None and len(commit._waiting) == 5

        commit._committer.cancel()
        refused = await asyncio.gather(
            *(asyncio.wait_for(caller, timeout=5) for caller in queued), return_exceptions=True)
        assert all(isinstance(r, Unavailable) for r in refused), refused
        assert commit._waiting == []
        assert not any(caller.done() for caller in in_flight)

        gate.release.set()
        await asyncio.wait_for(asyncio.gather(*in_flight), timeout=5)
        for stored in drafts[:2]:
            assert intake.get_report(stored.filed.id).id == stored.filed.id
        for refused_draft in drafts[2:]:
            with pytest.raises(NotFound):
                intake.get_report(refused_draft.filed.id)
    finally:
        gate.release.set()
        await eventually(gate.finished.is_set)  # the held thread is done before the store closes


async def test_a_cancelled_caller_whose_save_fails_leaves_no_unretrieved_error(
    intake: IntakeApplication,
) -> None:
    """A caller that went away and whose save then fails (a version conflict) leaves no
    "Future exception was never retrieved" for the loop to report."""
    filed = intake.file_report(submission(0))
    first, second = intake.get_report(filed.id), intake.get_report(filed.id)
    first.reply(body="first", at=intake.clock.now())
    second.reply(body="second", at=intake.clock.now())  # conflicts once `first` is stored
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    gate = hold_first_save(intake)
    try:
        commit = GroupCommit(intake)
        ahead = asyncio.create_task(commit.save(first))
        await eventually(gate.entered.is_set)
        gone = asyncio.create_task(commit.save(second))
        await asyncio.sleep(0)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone

        gate.release.set()
        await ahead
        committer = commit._committer
        assert committer is not None
        await asyncio.wait_for(committer, timeout=5)  # `second` tried, alone, and failed
        del commit, committer, ahead, gone
        await asyncio.sleep(0.01)  # the futures' done callbacks (holding them) have run
        gc.collect()  # the failed future (in a cycle with its traceback) is collected
        await asyncio.sleep(0)
    finally:
        gate.release.set()
        loop.set_exception_handler(previous)
    assert reported == []
    assert [m["body"] for m in intake.get_report(filed.id).messages][-1] == "first"
