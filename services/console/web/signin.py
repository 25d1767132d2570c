"""Sign-in (password, then the code; or the organisation's provider) and sign-out."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.adapters.oidc import OidcClient, OidcFailed
from services.console.adapters.sessions import Session
from services.console.api.deps import parts
from services.console.application import PENDING_FOR, SignIn, SignInFailed
from services.console.web import browser
from services.console.web.access import console, signed_in
from services.console.web.rendering import first, posted_fields, render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("meldingen.console.web")


def _signin(request: Request) -> SignIn:
    return parts(request).signin


def _oidc(request: Request) -> OidcClient | None:
    return parts(request).oidc


def _page(request: Request, session: Session, *, status_code: int = 200,
          **context: Any) -> Response:
    response = render(request, session, "signin.html", status_code=status_code,
                      switch="/signin", oidc=_oidc(request) is not None, **context)
    return browser.keep(response, request, session)


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request) -> Response:
    session = browser.current_or_new(request)
    if session.sub is not None:
        return RedirectResponse("/", 303)
    notice = ("signed_out" if "signed_out" in request.query_params
              else "session_ended" if "ended" in request.query_params else None)
    return _page(request, session, notice=notice)


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request) -> Response:
    posted = await posted_fields(request)
    session = browser.current(request)
    if session is None or not browser.post_is_ours(request, session, first(posted, "csrf")):
        return _page(request, browser.current_or_new(request), status_code=403,
                     failure="form_expired")
    login, password = first(posted, "login").strip(), first(posted, "password")
    errors = {name: name for name, value in (("login", login), ("password", password))
              if not value}
    if errors:
        return _page(request, session, status_code=422, errors=errors,
                     values={"login": login})
    try:
        sub = await _signin(request).check_password(login, password)
    except SignInFailed as failed:
        return _page(request, session, status_code=401, values={"login": login},
                     failure="locked" if failed.locked else "failed")
    pending = browser.sessions(request).renew(session, pending_sub=sub,
                                              pending_since=console(request).clock.now())
    return browser.keep(RedirectResponse("/signin/code", 303), request, pending)


def _pending(request: Request) -> Session | None:
    session = browser.current(request)
    if session is None or session.pending_sub is None or session.pending_since is None:
        return None
    if console(request).clock.now() - session.pending_since > PENDING_FOR:
        return None
    return session


def _code_page(request: Request, session: Session, *, status_code: int = 200,
               **context: Any) -> Response:
    return browser.keep(render(request, session, "signin_code.html",
                               status_code=status_code, **context), request, session)


@router.get("/signin/code", response_class=HTMLResponse)
def code_page(request: Request) -> Response:
    session = _pending(request)
    if session is None:
        return RedirectResponse("/signin", 303)
    return _code_page(request, session)


@router.post("/signin/code", response_class=HTMLResponse)
async def code(request: Request) -> Response:
    posted = await posted_fields(request)
    session = browser.current(request)
    if session is None or not browser.post_is_ours(request, session, first(posted, "csrf")):
        return _page(request, browser.current_or_new(request), status_code=403,
                     failure="form_expired")
    pending = _pending(request)
    if pending is None or pending.pending_sub is None:
        return _page(request, session, status_code=401, failure="failed")
    value = first(posted, "code").strip()
    if not value:
        return _code_page(request, pending, status_code=422, errors={"code": "code"})
    try:
        member = await _signin(request).check_code(pending.pending_sub, value)
    except SignInFailed as failed:
        if failed.locked:
            fresh = browser.sessions(request).renew(pending)
            return _page(request, fresh, status_code=401, failure="locked")
        return _code_page(request, pending, status_code=401, failure="failed")
    return _enter(request, pending, member.sub)


def _enter(request: Request, session: Session, sub: str) -> Response:
    """Signed in: a new session id, the person's own."""
    signed = browser.sessions(request).renew(session, sub=sub)
    log.info("signed in")
    return browser.keep(RedirectResponse("/", 303), request, signed)


@router.post("/signout")
async def signout(request: Request) -> Response:
    posted = await posted_fields(request)
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return render(request, person.session, "message.html", status_code=403,
                      message="form_expired")
    # Sign-out ends every session of the person, wherever it was opened.
    browser.sessions(request).end_all_of(person.member.sub)
    return browser.forget(RedirectResponse("/signin?signed_out=1", 303), request)


# -- the organisation's identity provider ------------------------------------------------


def _flow_cookie(request: Request) -> str:
    return browser.policy(request).name.replace("-session", "-oidc")


@router.get("/signin/oidc")
async def oidc_start(request: Request) -> Response:
    client = _oidc(request)
    if client is None:
        return RedirectResponse("/signin", 303)
    try:
        started = await client.start()
    except Exception as exc:  # noqa: BLE001 - the provider is away or answers nonsense
        log.warning("oidc start failed", extra={"error": type(exc).__name__})
        return _page(request, browser.current_or_new(request), status_code=502,
                     failure="oidc_failed")
    response = RedirectResponse(started.url, 303)
    # Lax, unlike the session's: it must come along when the provider sends the
    # browser back (a top-level GET from another site), and it binds the flow to it.
    response.set_cookie(_flow_cookie(request), client.pending.add(started), max_age=600,
                        path="/", secure=browser.policy(request).secure, httponly=True,
                        samesite="lax")
    return response


@router.get("/signin/oidc/callback")
async def oidc_callback(request: Request, state: str = "", code: str = "") -> Response:
    client = _oidc(request)
    session = browser.current_or_new(request)
    if client is None:
        return RedirectResponse("/signin", 303)
    expected = client.pending.take(state, request.cookies.get(_flow_cookie(request)))
    try:
        value = await client.finish(expected, state=state, code=code)
    except (OidcFailed, KeyError) as exc:
        log.warning("oidc sign-in refused", extra={"reason": str(exc)})
        return _page(request, session, status_code=401, failure="oidc_failed")
    app = console(request)
    member = app.find_by_email(value) if client.match_claim == "email" else app.find_staff(value)
    if member is None or member.disabled:
        log.warning("oidc sign-in of a person not in the directory refused")
        return _page(request, session, status_code=403, failure="oidc_unknown")
    _signin(request).signed_in_elsewhere(member, "oidc")
    signed = browser.sessions(request).renew(session, sub=member.sub)
    log.info("signed in", extra={"method": "oidc"})
    # A page, not a redirect: the browser arrived from the provider's site, and along
    # that navigation a SameSite=Strict cookie is not sent; from this page it is.
    page = render(request, signed, "signed_in.html")
    page.delete_cookie(_flow_cookie(request), path="/")
    return browser.keep(page, request, signed)
