"""The reporter's files of cases decided before `melding_decided` listed them: those
decisions reached investigation without the files sent before them (later ones went
as `attachment_shared`), so the case's team never saw them. Triage shares each such
file once, as `attachment_shared`: recorded as `MeldingFiles.Shared` (which the relay
publishes), so a restart does not send it again, and investigation keeps each file
once whatever comes twice.

Which files: a view of few events (decisions, the reporter's files, shares), fed
from every one at start and each new one, like `domain/purges.py`. A decision stored
with `files_listed` listed its files itself; a file received after the decision was
shared when it came."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from services.triage.domain.report import Report
from services.triage.files.domain.files import MeldingFiles
from shared.contracts import opens_case
from shared.errors import DamagedRecord, Shredded

if TYPE_CHECKING:
    from services.triage.application import TriageApplication

log = logging.getLogger(__name__)

BACKFILL_TOPICS = tuple(get_topic(cls) for cls in (
    Report.Decided, MeldingFiles.Received, MeldingFiles.Shared))
CONFLICT = "The melding's files were changed at the same time; try again."


class Unshared:
    """Per melding decided the old way into a case: its reporter's files from before
    the decision that are not shared yet."""

    def __init__(self) -> None:
        self._files: dict[UUID, list[str]] = {}  # the reporter's, in order, per melding
        self._old_cases: dict[UUID, int] = {}  # melding -> its files at the decision
        self._shared: set[str] = set()
        self._lock = threading.Lock()

    def apply(self, domain_event: Any) -> None:
        e = domain_event
        with self._lock:
            if isinstance(e, MeldingFiles.Received) and e.sender == "reporter":
                self._files.setdefault(e.melding_id, []).append(e.attachment_id)
            elif isinstance(e, MeldingFiles.Shared):
                self._shared.add(e.attachment_id)
            elif isinstance(e, Report.Decided) and opens_case(e.outcome) \
                    and not getattr(e, "files_listed", False):
                self._old_cases[e.originator_id] = len(self._files.get(e.originator_id, []))

    def due(self) -> dict[UUID, list[str]]:
        with self._lock:
            wanted = {melding: [f for f in self._files.get(melding, [])[:before]
                                if f not in self._shared]
                      for melding, before in self._old_cases.items()}
        return {melding: files for melding, files in wanted.items() if files}

    def forget(self, melding_id: UUID) -> None:
        with self._lock:
            self._old_cases.pop(melding_id, None)


def share_due(triage: TriageApplication, unshared: Unshared) -> int:
    """Record every due file as shared (idempotent: one shared already is passed
    over); the number recorded. A shredded melding's files are gone: none to share."""
    recorded = 0
    for melding_id, attachment_ids in unshared.due().items():
        def share(files: MeldingFiles, ids: list[str] = attachment_ids) -> None:
            for attachment_id in ids:
                if files.knows(attachment_id) and not files.is_shared(attachment_id):
                    files.share(attachment_id=attachment_id, at=triage.clock.now())

        def get(m: UUID = melding_id) -> MeldingFiles:
            files: MeldingFiles = triage.repository.get(MeldingFiles.create_id(m))
            return files

        try:
            triage.update(get, share, conflict=CONFLICT)
        except (Shredded, DamagedRecord, AggregateNotFoundError):
            unshared.forget(melding_id)
            continue
        recorded += len(attachment_ids)
    return recorded


class Backfill:
    """`share_due` at start and after each interval (the store may be away at first);
    a round with nothing due only reads the view."""

    def __init__(self, triage: TriageApplication, unshared: Unshared,
                 check_every: float) -> None:
        self.triage, self.unshared, self.check_every = triage, unshared, check_every
        self._stop = asyncio.Event()

    async def loop(self) -> None:
        while not self._stop.is_set():
            try:
                shared = await asyncio.to_thread(share_due, self.triage, self.unshared)
                if shared:
                    log.info("files shared with their cases", extra={"count": shared})
            except Exception as exc:  # noqa: BLE001 - the store is away: the next round
                log.warning("sharing files failed", extra={"error": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.check_every)

    def stop(self) -> None:
        self._stop.set()
