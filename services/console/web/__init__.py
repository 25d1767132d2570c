"""The console's pages: sign-in, enrolment, home, account and the staff directory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.console.adapters.links import base_url
from services.console.notifications import web as notification_pages
from services.console.web import (
    case,
    enrol,
    files_part,
    home,
    melding,
    melding_intake,
    melding_protection,
    queue,
    register,
    registered,
    report,
    signin,
)
from services.console.web.browser import CookiePolicy, origin_of
from services.console.web.headers import SecurityHeaders
from services.console.web.rendering import HERE
from shared.config import Settings


def cookie_policy(settings: Settings) -> CookiePolicy:
    url = base_url(settings)
    return CookiePolicy(secure=settings.env == "production" or url.startswith("https://"),
                        origin=origin_of(url))


def install(app: FastAPI) -> None:
    for pages in (signin.router, enrol.router, home.router, queue.router, melding.router,
                  case.router, register.router, report.router, notification_pages.router,
                  melding_intake.router, melding_protection.router, registered.router,
                  files_part.router):
        app.include_router(pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders)
