"""FastAPI dependencies every service uses."""

from __future__ import annotations

from typing import Any

from fastapi import Request


async def application(request: Request) -> Any:
    """The service's eventsourcing application, set by its bootstrap (async: no
    threadpool hand-off for reading an attribute)."""
    return request.app.state.application
