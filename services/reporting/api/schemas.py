"""Reporting's response bodies beyond the figures (whose sections `domain/figures.py`
defines) and the audit reports (`audit.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class LiveOut(BaseModel):
    position: int
    events: int
    digest: str


class CheckpointOut(BaseModel):
    heads: list[dict[str, Any]]
    signed_at: str
    public_key: str
    signature: str


class LatestCheckpointOut(BaseModel):
    checkpoint: CheckpointOut | None
