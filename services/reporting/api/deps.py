from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from services.reporting.lifecycle import ReportingRuntime


async def reporting(request: Request) -> ReportingRuntime:
    return request.app.state.reporting  # type: ignore[no-any-return]


Reporting = Annotated[ReportingRuntime, Depends(reporting)]
Year = Annotated[int, Query(ge=1900, le=2999, description="the calendar year")]
