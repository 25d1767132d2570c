"""Renders the console's pages with the session's language and form token."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console.adapters.sessions import Session
from services.console.domain.staff import StaffMember
from services.console.web.texts import TEXTS
from shared.authz import is_allowed
from shared.terms import LOCAL, local_date

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# Compiled once and kept: the templates ship with the code, so no file is looked at
# again for each page (jinja2 would stat each template and the ones it extends).
templates.env.auto_reload = False
#: Rows on a page of every list the console pages.
PAGE_SIZE = 25


def _day(moment: datetime | date) -> str:
    """A date as the organisation reads it (its own time zone), ISO: the same in both
    languages and sortable."""
    return (local_date(moment) if isinstance(moment, datetime) else moment).isoformat()


def _moment(moment: datetime | str) -> str:
    # The steps' records inside a case come as JSON, their times as ISO text.
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _pair(value: str, labels: dict[str, str]) -> tuple[str, str]:
    return value, labels.get(value, value)


templates.env.filters.update(day=_day, moment=_moment, pair=_pair)

#: The navigation: each page, and the action whose roles it is for.
NAV: tuple[tuple[str, str, str], ...] = (
    ("queue", "/queue", "melding.list"),
    ("cases", "/cases", "case.read"),
    ("register", "/register", "melding.register_for_reporter"),
    ("registered", "/registered", "registration.list_own"),
    ("reveals", "/identity-reveals", "identity.list_reveals"),
    ("meetings", "/meeting-requests", "meeting.list"),
    ("report", "/report", "report.read"),
    ("staff", "/staff", "staff.manage"),
)


def pages_of(role: str) -> list[tuple[str, str]]:
    """The pages one role may use (a home page's section per role links them)."""
    return [(name, href) for name, href, action in NAV if is_allowed(role, action)]


templates.env.globals["pages_of"] = pages_of


def navigation(member: StaffMember | None) -> list[tuple[str, str]]:
    if member is None:
        return []
    return [(name, href) for name, href, action in NAV
            if any(is_allowed(role, action) for role in member.roles)]


def render(request: Request, session: Session, template: str, *, status_code: int = 200,
           switch: str | None = None, **context: Any) -> HTMLResponse:
    """`switch`: the path to offer in the other language (None where leaving the page
    would lose what was typed)."""
    t = TEXTS[session.lang]
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("member", None)
    context.setdefault("refusal", None)
    response = templates.TemplateResponse(
        request, template,
        {"lang": session.lang, "t": t, "csrf": session.csrf,
         "switch_href": None if switch is None else _switched(switch, t["other_language"][0]),
         "nav": navigation(context["member"]),
         **context},
        status_code=status_code)
    return response


def _switched(path: str, lang: str) -> str:
    # A page's own query (a queue's filters) stays when the language changes.
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


async def posted_fields(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


def local_moment(moment: str) -> str:
    """A browser's date and time (no zone) as the organisation's local time; anything
    else as typed, for the service to refuse."""
    try:
        return datetime.fromisoformat(moment).replace(tzinfo=LOCAL).isoformat()
    except ValueError:
        return moment


def page_offset(request: Request, size: int = PAGE_SIZE) -> int | None:
    """The first row of the page asked for (`?page=`, from 1), or None if it is no page."""
    page = request.query_params.get("page", "1")
    return (int(page) - 1) * size if page.isdigit() and int(page) >= 1 else None


def first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]
