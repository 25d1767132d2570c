"""FastAPI dependencies every service uses."""

from __future__ import annotations

from typing import Any

from fastapi import Request


def application(request: Request) -> Any:
    """The service's eventsourcing application, set by its bootstrap."""
    return request.app.state.application
