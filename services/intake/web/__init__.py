"""The reporter's web pages: the form, the receipt and the mailbox (server-rendered)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.intake.web.headers import SecurityHeaders
from services.intake.web.mailbox import router as mailbox
from services.intake.web.mailbox_files import router as mailbox_files
from services.intake.web.pages import router as pages
from services.intake.web.rendering import HERE


def install(app: FastAPI) -> None:
    """Adds the pages, their static files and their security headers to intake's app."""
    app.include_router(pages)
    app.include_router(mailbox)
    app.include_router(mailbox_files)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders, exact=("/",), prefixes=("/mailbox", "/static/"))
