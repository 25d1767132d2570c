"""Intake's API as the console's pages use it: a melding registered on a reporter's
behalf (its receipt, shown once), and a confidential adviser's contact moments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.console.adapters.calls import Acting, ServiceCaller


class Filed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    receipt: str
    acknowledged_at: datetime


class Recorded(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str


class IntakeClient:
    def __init__(self, caller: ServiceCaller) -> None:
        self.caller = caller

    async def register(self, acting: Acting, body: dict[str, Any]) -> Filed:
        return await self.caller.post(acting, "/api/meldingen", body, Filed)

    async def contact_moment(self, acting: Acting, body: dict[str, Any]) -> Recorded:
        return await self.caller.post(acting, "/api/contact-moments", body, Recorded)
