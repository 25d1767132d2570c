"""Reporting's HTTP API: the annual figures (JSON or CSV) and the audit."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from services.reporting.api.deps import Reporting, Year
from services.reporting.api.schemas import AccountOut, AccountPartIn, LiveOut
from services.reporting.domain.account import Part
from services.reporting.domain.publication import cell, rows, suppress
from shared.auth import Principal
from shared.deps import authorized

router = APIRouter(prefix="/api", tags=["reporting"])


def published(reporting: Reporting, year: int) -> dict[str, Any]:
    """The year's figures and, under `previous_year`, the year before's, each
    suppressed on its own (no sum runs across years)."""
    live, threshold = reporting.application.live, reporting.companion.settings.report_threshold
    figures = suppress(live.figures(year), threshold)
    figures["previous_year"] = suppress(live.figures(year - 1), threshold)
    figures["written"] = reporting.application.account(year)
    return figures


@router.get("/reports/annual", responses={200: {"content": {"text/csv": {}}}})
def annual_report(
    request: Request, reporting: Reporting, year: Year,
    _: Annotated[Principal, authorized("report.read")],
) -> Any:
    """The year's figures: counts only, small ones as "<3" and those a sum would give
    away as "x"; `open_at_year_end` holds every melding open when the year ended (for
    the running year: so far) by its age; `previous_year` the same figures of the year
    before; `written` the meldpunt's account of the year (`GET
    /api/reports/annual/account`). CSV with `Accept: text/csv`: the rows of both
    years' figures."""
    figures = published(reporting, year)
    if "text/csv" not in request.headers.get("accept", ""):
        return figures
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["year", "figure", "category", "value"])
    for of_year, shown in ((year, figures), (year - 1, figures["previous_year"])):
        for figure, category, value in rows(shown):
            writer.writerow([of_year, cell(figure), cell(category), cell(value)])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="meldingen-{year}.csv"'})


@router.get("/reports/annual/account")
def account(
    reporting: Reporting, year: Year,
    _: Annotated[Principal, authorized("report.write_account")],
) -> AccountOut:
    """The meldpunt's written account of the year, as the report will show it."""
    return AccountOut.model_validate(reporting.application.account(year))


@router.put("/reports/annual/account/{part}")
def write_account(
    reporting: Reporting, year: Year, part: Part, body: AccountPartIn,
    principal: Annotated[Principal, authorized("report.write_account")],
) -> AccountOut:
    """Write one part of the year's account anew (the earlier versions are kept);
    writing the same text again changes nothing."""
    return AccountOut.model_validate(
        reporting.application.write_account(year, part, body.text, principal.sub))


@router.post("/audit/replay")
async def replay(
    reporting: Reporting, _: Annotated[Principal, authorized("audit.replay")],
) -> dict[str, Any]:
    """Rebuild every figure from the stream's first message; compare with the live ones."""
    return await reporting.companion.replay()


@router.get("/audit/verify")
async def verify(
    reporting: Reporting, _: Annotated[Principal, authorized("audit.verify")],
) -> dict[str, Any]:
    """Check every hash chain and the last signed checkpoint; name the first misfit."""
    return await reporting.companion.verify()


@router.get("/audit/live")
def live(
    reporting: Reporting, _: Annotated[Principal, authorized("audit.replay")],
) -> LiveOut:
    """Where the live figures are: the stream sequence, events counted and the digest."""
    position, events, digest = reporting.application.live.snapshot()
    return LiveOut(position=position, events=events, digest=digest)


@router.get("/audit/checkpoint")
def latest_checkpoint(
    reporting: Reporting, _: Annotated[Principal, authorized("audit.verify")],
) -> dict[str, Any]:
    """The last signed checkpoint: every chain's head, when, and the signing key."""
    checkpoint = reporting.application.latest_checkpoint()
    return {"checkpoint": None if checkpoint is None else checkpoint.as_dict()}
