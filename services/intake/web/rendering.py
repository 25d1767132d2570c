"""Renders the reporter's pages: the language's texts, a fresh form token, the link to
the other language (only on pages that can be opened again without losing anything)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.intake.adapters.form_tokens import FormTokens
from services.intake.api.deps import IntakeParts
from services.intake.web.texts import TEXTS
from shared.service import parts_of

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def form_tokens(request: Request) -> FormTokens:
    return parts_of(request.app, IntakeParts).form_tokens


def render(
    request: Request,
    template: str,
    lang: str,
    *,
    status_code: int = 200,
    switch: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """`switch` is the path to offer in the other language, or None where leaving the
    page would lose something (the receipt, an open mailbox)."""
    other = TEXTS[lang]["other_language"][0]
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "form_token": form_tokens(request).issue(),
            "switch_href": None if switch is None else f"{switch}?lang={other}",
            **context,
        },
        status_code=status_code,
    )


def cross_site(request: Request) -> bool:
    """A browser tells where a post comes from; refuse one sent from another site."""
    return request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none")


async def posted_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}
