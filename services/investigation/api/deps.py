"""What investigation's routes read: the container `bootstrap.py` builds, and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.investigation.application import InvestigationApplication
from services.investigation.views import CaseIndex
from shared.files.store import FileStore
from shared.files.upload import Uploads
from shared.runtime import MessagingRuntime
from shared.service import parts_dependency
from shared.viewstore import Flusher


@dataclass(frozen=True)
class InvestigationParts:
    application: InvestigationApplication
    runtime: MessagingRuntime
    cases: CaseIndex
    files: FileStore
    uploads: Uploads
    flusher: Flusher


Parts = Annotated[InvestigationParts, Depends(parts_dependency(InvestigationParts))]


async def application(parts: Parts) -> InvestigationApplication:
    return parts.application


async def case_index(parts: Parts) -> CaseIndex:
    return parts.cases


Investigation = Annotated[InvestigationApplication, Depends(application)]
Cases = Annotated[CaseIndex, Depends(case_index)]
