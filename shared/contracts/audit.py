"""Integration events reporting publishes for the audit."""

from __future__ import annotations

from typing import Any, ClassVar

from shared.contracts.base import IntegrationEvent


class CheckpointSigned(IntegrationEvent):
    """reporting -> the stream (and whoever audits it): every hash chain's head, signed,
    so the audit holds each store against a record kept outside its database."""

    type: ClassVar[str] = "checkpoint_signed"

    number: int
    heads: list[dict[str, Any]]
    misfits: list[dict[str, Any]]
    signed_at: str
    public_key: str
    signature: str
