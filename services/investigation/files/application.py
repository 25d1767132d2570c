"""Investigation's use cases for a case's evidence files: kept byte for byte under the
melding's key (the case checks the step and the investigator before a byte is
stored), and downloaded by whoever may read the case's content (`case.read_content`
and `may_see`, through `get_case`: 404 alike for none and not theirs), every download
recorded before a byte is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any
from uuid import UUID

import anyio.to_thread
from eventsourcing.application import AggregateNotFoundError

from services.investigation.application import InvestigationApplication
from services.investigation.domain.case import Case
from services.investigation.files.domain.evidence_files import EvidenceFiles
from shared.auth import Principal
from shared.authz import require
from shared.files.preparing import Prepared
from shared.files.store import FileStore, key_of

CONFLICT = "The case's evidence files were changed at the same time; try again."


def _files(app: InvestigationApplication, case_id: UUID) -> EvidenceFiles:
    try:
        stored: EvidenceFiles = app.repository.get(EvidenceFiles.create_id(case_id))
    except AggregateNotFoundError:
        return EvidenceFiles(case_id)
    return stored


def history(app: InvestigationApplication, case_id: UUID) -> list[dict[str, Any]]:
    return _files(app, case_id).history()


async def add(app: InvestigationApplication, store: FileStore, case_id: UUID,
              description: str, evidence: Prepared, principal: Principal) -> Case:
    await anyio.to_thread.run_sync(app.get_case, case_id, principal)
    key = await anyio.to_thread.run_sync(key_of, app.keyring, str(case_id))
    chunks = await store.put(key, evidence.id, evidence.path)

    def record() -> Case:
        # The case first: its step is checked before the file is described as kept.
        case = app.add_evidence(case_id, description, evidence.sha256, principal,
                                file_id=evidence.id)
        app.update(lambda: _files(app, case_id), lambda files: files.keep(
            file_id=evidence.id, name=evidence.name, size=evidence.size,
            content_type=evidence.content_type, sha256=evidence.sha256, chunks=chunks,
            by=principal.sub, at=app.clock.now(), melding_id=case_id), conflict=CONFLICT)
        return case

    return await anyio.to_thread.run_sync(record)


def _recorded(app: InvestigationApplication, case_id: UUID, file_id: str,
              principal: Principal) -> dict[str, Any]:
    require(principal.role, "case.read_content")
    app.get_case(case_id, principal)
    described = _files(app, case_id).file(file_id)
    app.update(lambda: _files(app, case_id),
               lambda files: files.record_download(file_id=file_id, by=principal.sub,
                                                   at=app.clock.now()),
               conflict=CONFLICT)
    return described


async def download(app: InvestigationApplication, store: FileStore, case_id: UUID,
                   file_id: str, principal: Principal
                   ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
    # Evidence is investigation's own: its description names no other writer.
    return await store.download(app.keyring, str(case_id), file_id, partial(
        _recorded, app, case_id, file_id, principal))
