"""Reporting's API as the console's pages use it: the annual figures (as JSON, and
as the CSV reporting writes), and the audit's verify and replay."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.console.adapters.calls import Acting, ServiceCaller


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Verified(_Answer):
    ok: bool
    events: int
    first_bad: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None


class Replayed(_Answer):
    events_replayed: int
    matches_live: bool | None
    digest: str


class Csv(_Answer):
    filename: str
    body: bytes


class ReportingClient:
    def __init__(self, caller: ServiceCaller) -> None:
        self.caller = caller

    async def annual(self, acting: Acting, year: int) -> dict[str, Any]:
        response = await self.caller.call(acting, "GET", "/api/reports/annual",
                                          params={"year": year})
        figures: dict[str, Any] = response.json()
        return figures

    async def annual_csv(self, acting: Acting, year: int) -> Csv:
        response = await self.caller.call(acting, "GET", "/api/reports/annual",
                                          params={"year": year}, accept="text/csv")
        return Csv(filename=f"meldingen-{year}.csv", body=response.content)

    async def verify(self, acting: Acting) -> Verified:
        return await self.caller.get(acting, "/api/audit/verify", Verified)

    async def replay(self, acting: Acting) -> Replayed:
        return await self.caller.post(acting, "/api/audit/replay", None, Replayed)
