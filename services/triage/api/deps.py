from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.triage.application import TriageApplication
from services.triage.views import Queue
from shared.deps import application


async def queue(request: Request) -> Queue:
    return request.app.state.queue  # type: ignore[no-any-return]


Triage = Annotated[TriageApplication, Depends(application)]
QueueView = Annotated[Queue, Depends(queue)]
