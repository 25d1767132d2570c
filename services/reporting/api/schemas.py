"""Reporting's bodies beyond the figures (whose sections `domain/figures.py` defines)
and the audit reports (`adapters/verification.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.domain.account import MAX_CHARACTERS


class AccountPartIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # Room for whitespace around the text; the domain names the limit on the trimmed one.
    text: str = Field(max_length=MAX_CHARACTERS + 1000, description=(
        "The part's text as the report shows it (plain text; blank lines separate "
        f"paragraphs), at most {MAX_CHARACTERS} characters once trimmed."))


class AccountPartOut(BaseModel):
    text: str
    written_at: str = Field(description="when this version was written (ISO 8601)")
    version: int = Field(description="1 for the first text of this part, then counting")


class AccountOut(BaseModel):
    """The meldpunt's written account of a year; a part is null until written."""

    activities: AccountPartOut | None = Field(description=(
        "the year's activities: courses, actions, tightened work processes"))
    analysis: AccountPartOut | None = Field(description="the meldpunt's analysis of the year")
    intended_actions: AccountPartOut | None = Field(description="the intended actions")
    conclusions: AccountPartOut | None = Field(description=(
        "a summary of the investigations' conclusions"))


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
