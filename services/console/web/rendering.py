"""Renders the console's pages with the session's language and form token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console.adapters.sessions import Session
from services.console.web.texts import TEXTS

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def render(request: Request, session: Session, template: str, *, status_code: int = 200,
           switch: str | None = None, **context: Any) -> HTMLResponse:
    """`switch`: the path to offer in the other language (None where leaving the page
    would lose what was typed)."""
    t = TEXTS[session.lang]
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("member", None)
    response = templates.TemplateResponse(
        request, template,
        {"lang": session.lang, "t": t, "csrf": session.csrf,
         "switch_href": None if switch is None else f"{switch}?lang={t['other_language'][0]}",
         **context},
        status_code=status_code)
    return response


async def posted_fields(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


def first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]
