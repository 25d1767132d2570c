"""What triage's routes read: the container `bootstrap.py` builds, and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from services.triage.adapters.retention import RetentionCheck
from services.triage.api.page_cache import PageCache
from services.triage.application import TriageApplication
from services.triage.files.backfill import Backfill
from services.triage.protection.views import FollowUp
from services.triage.views import Queue
from shared.files.store import FileStore
from shared.files.upload import Uploads
from shared.runtime import MessagingRuntime
from shared.service import parts_dependency
from shared.viewstore import Flusher


@dataclass(frozen=True)
class TriageParts:
    application: TriageApplication
    runtime: MessagingRuntime
    queue: Queue
    retention: RetentionCheck
    follow_up: FollowUp
    flusher: Flusher
    files: FileStore
    uploads: Uploads
    backfill: Backfill
    pages: PageCache = field(default_factory=PageCache)  # the queue's pages as sent

    def __post_init__(self) -> None:
        # A page kept from before a shredding may hold the melding: none outlives it.
        self.retention.on_shred(lambda: self.pages.clear(self.queue.version))


Parts = Annotated[TriageParts, Depends(parts_dependency(TriageParts))]


async def application(parts: Parts) -> TriageApplication:
    return parts.application


async def queue(parts: Parts) -> Queue:
    return parts.queue


Triage = Annotated[TriageApplication, Depends(application)]
QueueView = Annotated[Queue, Depends(queue)]
