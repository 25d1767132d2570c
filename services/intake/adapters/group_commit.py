"""Group commit: the saves of concurrent requests stored in one transaction.

Each request's aggregates wait, at most as long as the commit before them takes,
and are then saved together with every other request's that arrived meanwhile: one
worker-thread hand-off, one write lock and one fsync for the lot instead of one
each. A request is answered only after its own aggregates are committed, so a 201
still means stored. A failed batch is saved again one request at a time, so that
one request's failure (a version conflict, say) is that request's alone; that is
why the aggregates' pending events are taken from them at once and kept until stored.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from eventsourcing.application import Application

from shared.errors import Unavailable


class GroupCommit:
    def __init__(self, application: Application[Any], max_batch: int = 64) -> None:
        self._application = application
        self._max_batch = max_batch
        self._waiting: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
        self._committer: asyncio.Task[None] | None = None
        self._in_flight: list[tuple[tuple[Any, ...], asyncio.Future[None]]] = []
        self._saving: asyncio.Future[Any] | None = None

    async def save(self, *aggregates: Any) -> None:
        """Return once the aggregates are stored; raise what saving them raised."""
        done = asyncio.get_running_loop().create_future()
        # Read here too, so that a caller who went away leaves no unread error behind.
        done.add_done_callback(lambda future: future.cancelled() or future.exception())
        events = tuple(event for aggregate in aggregates for event in aggregate.collect_events())
        self._waiting.append((events, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_waiting())
        # Shielded: a request given up by its client is still stored, as it would be
        # if it had been saved alone.
        await asyncio.shield(done)

    async def _commit_waiting(self) -> None:
        try:
            await self._commit_all()
        except asyncio.CancelledError:
            # The event loop is going away (uvicorn lets requests finish first, so this
            # is a hard stop). A save already in its thread cannot be stopped: its
            # callers learn its real outcome when it ends. The rest were not stored.
            saving, unsettled = self._saving, self._in_flight + self._waiting
            if saving is not None and not saving.done():
                saving.add_done_callback(partial(_settle_all, self._in_flight))
                unsettled = self._waiting
            for _, done in unsettled:
                _settle(done, Unavailable("The service is stopping; try again."))
            self._waiting.clear()
            raise

    async def _commit_all(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                await self._save(batch, *(event for events, _ in batch for event in events))
            except Exception:  # noqa: BLE001 - told to each request below, one by one
                await self._commit_one_by_one(batch)
            else:
                for _, done in batch:
                    _settle(done)

    async def _commit_one_by_one(
        self, batch: list[tuple[tuple[Any, ...], asyncio.Future[None]]]
    ) -> None:
        for index, (events, done) in enumerate(batch):
            try:
                await self._save(batch[index:index + 1], *events)
            except Exception as exc:  # noqa: BLE001 - the request's own failure
                _settle(done, exc)
            else:
                _settle(done)

    async def _save(self, callers: list[tuple[tuple[Any, ...], asyncio.Future[None]]],
                    *events: Any) -> None:
        self._in_flight = callers
        self._saving = asyncio.ensure_future(asyncio.to_thread(self._application.save, *events))
        await asyncio.shield(self._saving)


def _settle_all(callers: list[tuple[tuple[Any, ...], asyncio.Future[None]]],
                saving: asyncio.Future[Any]) -> None:
    error = saving.exception()
    for _, done in callers:
        _settle(done, error)


def _settle(done: asyncio.Future[None], error: BaseException | None = None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
