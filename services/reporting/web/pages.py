"""The annual report as a page a board member can read and print: tables and
server-rendered SVG bar charts, no scripts at all."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.reporting.api.deps import Reporting, Year
from services.reporting.api.routes import published
from services.reporting.web.charts import sections, share, written
from shared.auth import Principal
from shared.deps import authorized

router = APIRouter(tags=["reporting"])
templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
templates.globals["share"] = share
# Nothing from elsewhere, and no script of any kind: the page is figures only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@router.get("/reports/annual", response_class=HTMLResponse)
def annual_report_page(
    reporting: Reporting, year: Year, _: Annotated[Principal, authorized("report.read")],
) -> HTMLResponse:
    """The year's figures as a printable page with charts, and the meldpunt's account."""
    figures: dict[str, Any] = published(reporting, year)
    page = templates.get_template("annual.html").render(
        year=year, threshold=figures["threshold"],
        sections=sections(figures, figures["previous_year"]), terms=figures["terms"],
        terms_before=figures["previous_year"]["terms"], written=written(figures["written"]))
    # nosniff and no-store come with every answer (shared/middleware.py).
    return HTMLResponse(page, headers={"Content-Security-Policy": CSP})
