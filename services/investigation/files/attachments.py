"""Investigation's use cases for the reporter's files: told by triage (with the
decision that opens the case, and each later one), listed and downloaded by whoever
may read the case's content (`case.read_content` and `may_see`, through `get_case`:
404 alike for none and not theirs, so for a person concerned and an investigator not
on the case), every download recorded in the case's history before a byte is sent.
The bytes are read where intake stored them: investigation may read any chunk of the
files stream by its subject, and holds the melding's key from the decision."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.investigation.files.domain.attachments import CaseAttachments
from shared.auth import Principal
from shared.authz import require
from shared.contracts import AttachmentShared, SharedFile
from shared.files.store import FileStore

if TYPE_CHECKING:  # the application's policies build on this module
    from services.investigation.application import InvestigationApplication

CONFLICT = "The case's files were changed at the same time; try again."


def _files(app: InvestigationApplication, case_id: UUID) -> CaseAttachments:
    try:
        stored: CaseAttachments = app.repository.get(CaseAttachments.create_id(case_id))
    except AggregateNotFoundError:
        return CaseAttachments(case_id)
    return stored


def history(app: InvestigationApplication, case_id: UUID) -> list[dict[str, Any]]:
    return _files(app, case_id).history()


def receive(app: InvestigationApplication, case_id: UUID,
            files: Iterable[SharedFile | AttachmentShared],
            processing_event: ProcessingEvent[UUID]) -> None:
    """The files triage told of, for a case opened (by this batch or before); a copy
    of one known changes nothing."""
    found = app.find(CaseAttachments.create_id(case_id), processing_event)
    attachments = found if isinstance(found, CaseAttachments) else CaseAttachments(case_id)
    new = [f for f in files if not attachments.knows(f.attachment_id)]
    for f in new:
        attachments.receive(
            melding_id=case_id, attachment_id=f.attachment_id, name=f.name, size=f.size,
            content_type=f.content_type, sha256=f.sha256, cleaned=f.cleaned,
            chunks=f.chunks, stored_by=f.stored_by, at=f.at)
    if new:
        processing_event.collect_events(attachments)


def listed(app: InvestigationApplication, case_id: UUID, principal: Principal
           ) -> list[dict[str, Any]]:
    require(principal.role, "case.read_content")
    app.get_case(case_id, principal)
    return _files(app, case_id).files


def _recorded(app: InvestigationApplication, case_id: UUID, attachment_id: str,
              principal: Principal) -> dict[str, Any]:
    require(principal.role, "case.read_content")
    app.get_case(case_id, principal)
    described = _files(app, case_id).file(attachment_id)
    app.update(lambda: _files(app, case_id),
               lambda files: files.record_download(attachment_id=attachment_id,
                                                   by=principal.sub, at=app.clock.now()),
               conflict=CONFLICT)
    return described


async def download(app: InvestigationApplication, store: FileStore, case_id: UUID,
                   attachment_id: str, principal: Principal
                   ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
    return await store.download(app.keyring, str(case_id), attachment_id, partial(
        _recorded, app, case_id, attachment_id, principal))
