"""What investigation's routes read: the container `bootstrap.py` builds, and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.investigation.application import InvestigationApplication
from services.investigation.views import CaseIndex
from shared.runtime import MessagingRuntime
from shared.service import parts_of


@dataclass(frozen=True)
class InvestigationParts:
    application: InvestigationApplication
    runtime: MessagingRuntime
    cases: CaseIndex


# async: no threadpool hand-off for reading an attribute
async def parts(request: Request) -> InvestigationParts:
    return parts_of(request.app, InvestigationParts)


Parts = Annotated[InvestigationParts, Depends(parts)]


async def application(parts: Parts) -> InvestigationApplication:
    return parts.application


async def case_index(parts: Parts) -> CaseIndex:
    return parts.cases


Investigation = Annotated[InvestigationApplication, Depends(application)]
Cases = Annotated[CaseIndex, Depends(case_index)]
