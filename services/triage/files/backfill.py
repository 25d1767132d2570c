"""The reporter's files of cases decided before `melding_decided` listed them: those
decisions reached investigation without the files sent before them (later ones went
as `attachment_shared`), so the case's team never saw them. Triage shares each such
file once, as `attachment_shared`: recorded as `MeldingFiles.Shared` (which the relay
publishes), so a restart does not send it again, and investigation keeps each file
once whatever comes twice.

Which files: a table of the reporter's files and those decisions
(`services.triage.adapters.backfill_table`). A decision stored with `files_listed`
listed its files itself; a file received after the decision was shared when it came."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.triage.adapters.backfill_table import Unshared
from services.triage.files.domain.files import MeldingFiles
from shared.errors import DamagedRecord, Shredded

if TYPE_CHECKING:
    from services.triage.application import TriageApplication

log = logging.getLogger(__name__)

CONFLICT = "The melding's files were changed at the same time; try again."


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
