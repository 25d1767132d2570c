from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.investigation.application import InvestigationApplication
from services.investigation.views import CaseIndex
from shared.deps import application


async def case_index(request: Request) -> CaseIndex:
    return request.app.state.cases  # type: ignore[no-any-return]


Investigation = Annotated[InvestigationApplication, Depends(application)]
Cases = Annotated[CaseIndex, Depends(case_index)]
