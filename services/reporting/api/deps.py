"""What reporting's routes and pages read: the container `bootstrap.py` builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from services.reporting.adapters.companion import ReportingCompanion
from services.reporting.application import ReportingApplication
from shared.runtime import MessagingRuntime
from shared.service import parts_dependency


@dataclass(frozen=True)
class ReportingParts:
    application: ReportingApplication
    runtime: MessagingRuntime
    companion: ReportingCompanion


Reporting = Annotated[ReportingParts, Depends(parts_dependency(ReportingParts))]
Year = Annotated[int, Query(ge=1900, le=2999, description="the calendar year")]
