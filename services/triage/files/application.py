"""Triage's use cases for a melding's files: received from intake's event, listed and
downloaded by whoever may see the melding (`shared.authz.may_see`, through
`TriageApplication.get_report`: 404 alike for none and not theirs), every download
recorded before a byte is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

import anyio.to_thread
from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.triage.files.domain.files import MeldingFiles
from shared.auth import Principal
from shared.authz import require
from shared.contracts import AttachmentReceived, AttachmentShared, SharedFile, opens_case
from shared.errors import DamagedRecord, NotFound, Shredded
from shared.files.preparing import Prepared
from shared.files.store import FileStore, key_of

if TYPE_CHECKING:  # it builds on this module's `received` for its policy
    from services.triage.application import TriageApplication

CONFLICT = "The melding's files were changed at the same time; try again."


def _files(triage: TriageApplication, melding_id: UUID) -> MeldingFiles:
    try:
        stored: MeldingFiles = triage.repository.get(MeldingFiles.create_id(melding_id))
    except AggregateNotFoundError:
        return MeldingFiles(melding_id)
    return stored


def received(triage: TriageApplication, event: AttachmentReceived,
             processing_event: ProcessingEvent[UUID]) -> None:
    """intake's `attachment_received`; a copy of one known changes nothing."""
    melding_id = UUID(event.melding_id)
    files = triage.find(MeldingFiles.create_id(melding_id), processing_event)
    files = files if isinstance(files, MeldingFiles) else MeldingFiles(melding_id)
    if files.knows(event.attachment_id):
        return
    files.receive(melding_id=melding_id, attachment_id=event.attachment_id, name=event.name,
                  size=event.size, content_type=event.content_type, sha256=event.sha256,
                  cleaned=event.cleaned, chunks=event.chunks, stored_by=event.stored_by,
                  at=event.at, sender="reporter")
    processing_event.collect_events(files)


def for_case(triage: TriageApplication, decided: Any) -> list[SharedFile]:
    """The reporter's files as `melding_decided` lists them for the case's team: those
    known when the relay sends the decision (one recorded after it also follows as
    `attachment_shared`; investigation keeps each once). None without a case, nor for
    a decision stored before decisions listed files: it went out without them, and
    backfill.py shares them."""
    if not opens_case(decided.outcome) or not getattr(decided, "files_listed", False):
        return []
    melding_id = decided.originator_id
    return [SharedFile(attachment_id=f["id"], **{k: f[k] for k in SharedFile.model_fields
                                                 if k != "attachment_id"})
            for f in _files(triage, melding_id).files if f["from"] == "reporter"]


def shared_event(triage: TriageApplication, domain_event: Any) -> AttachmentShared | None:
    """A reporter's file, for investigation, when the melding's decision opened a case
    by the time the relay sends the file's event. Order on the stream keeps this
    right: a file recorded before the decision is in the decision's list, whichever
    the relay reads first (investigation passes over a file before its case)."""
    e = domain_event
    if isinstance(e, MeldingFiles.Shared):
        return _backfilled(triage, e)
    if not isinstance(e, MeldingFiles.Received) or e.sender != "reporter":
        return None
    try:
        decision: dict[str, Any] | None = triage.repository.get(e.melding_id).decision
    except (AggregateNotFoundError, Shredded, DamagedRecord):
        return None
    if decision is None or not opens_case(decision["outcome"]):
        return None
    return AttachmentShared(
        melding_id=str(e.melding_id), attachment_id=e.attachment_id, size=e.size,
        content_type=e.content_type, sha256=e.sha256, cleaned=e.cleaned, chunks=e.chunks,
        stored_by=e.stored_by, at=e.at, name=e.name)


def _backfilled(triage: TriageApplication, e: Any) -> AttachmentShared | None:
    """A file from before a decision published without its list (backfill.py), as the
    file stands when the relay sends it; nothing once the melding is shredded."""
    try:
        files: MeldingFiles = triage.repository.get(e.originator_id)
        f = files.file(e.attachment_id)
    except (AggregateNotFoundError, Shredded, DamagedRecord, NotFound):
        return None
    return AttachmentShared(
        melding_id=str(files.melding_id), attachment_id=f["id"], name=f["name"],
        size=f["size"], content_type=f["content_type"], sha256=f["sha256"],
        cleaned=f["cleaned"], chunks=f["chunks"], stored_by=f["stored_by"], at=f["at"])


def listed(triage: TriageApplication, melding_id: UUID, principal: Principal
           ) -> list[dict[str, Any]]:
    require(principal.role, "melding.read_attachments")
    triage.get_report(melding_id, principal)
    return files_of(triage, melding_id)


def files_of(triage: TriageApplication, melding_id: UUID) -> list[dict[str, Any]]:
    """The files of a melding its reader was already let see (`listed` checks both)."""
    return _files(triage, melding_id).files


def history(triage: TriageApplication, melding_id: UUID) -> list[dict[str, Any]]:
    return _files(triage, melding_id).history()


def _recorded(triage: TriageApplication, melding_id: UUID, attachment_id: str,
              principal: Principal) -> dict[str, Any]:
    require(principal.role, "melding.read_attachments")
    triage.get_report(melding_id, principal)
    described = _files(triage, melding_id).file(attachment_id)
    triage.update(lambda: _files(triage, melding_id),
                  lambda files: files.record_download(attachment_id=attachment_id,
                                                      by=principal.sub, at=triage.clock.now()),
                  conflict=CONFLICT)
    return described


async def download(triage: TriageApplication, store: FileStore, melding_id: UUID,
                   attachment_id: str, principal: Principal
                   ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
    return await store.download(triage.keyring, str(melding_id), attachment_id, partial(
        _recorded, triage, melding_id, attachment_id, principal))


async def send(triage: TriageApplication, store: FileStore, melding_id: UUID,
               prepared: Prepared, principal: Principal) -> None:
    """The meldpunt's file to the reporter's mailbox: stored under triage's subjects,
    then told to intake (`attachment_sent`)."""
    require(principal.role, "melding.message_reporter")
    await anyio.to_thread.run_sync(triage.get_report, melding_id, principal)
    key = await anyio.to_thread.run_sync(key_of, triage.keyring, str(melding_id))
    chunks = await store.put(key, prepared.id, prepared.path)

    def record() -> None:
        triage.update(lambda: _files(triage, melding_id), lambda files: files.receive(
            melding_id=melding_id, attachment_id=prepared.id, name=prepared.name,
            size=prepared.size, content_type=prepared.content_type, sha256=prepared.sha256,
            cleaned=prepared.cleaned, chunks=chunks, stored_by=store.service,
            at=triage.clock.now(), sender="meldpunt"), conflict=CONFLICT)

    await anyio.to_thread.run_sync(record)
