"""The browser's side of a session: the cookie, the form token and the Origin check.

The cookie carries only a random id. It is `__Host-` (this host only, path /,
Secure), HttpOnly and SameSite=Strict; outside production it is not marked Secure
and so cannot be `__Host-` (the embedded run is plain http).

Every POST must carry the session's form token and an Origin header naming the
console's own address (MELDINGEN_CONSOLE_URL): a forged post from another site has
neither.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response

from services.console.adapters.sessions import Session, SessionStore
from services.console.api.deps import parts
from services.console.web.texts import language


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool
    origin: str

    @property
    def name(self) -> str:
        return "__Host-meldingen-session" if self.secure else "meldingen-session"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sessions(request: Request) -> SessionStore:
    return parts(request).sessions


def policy(request: Request) -> CookiePolicy:
    return parts(request).cookie_policy


def current(request: Request) -> Session | None:
    session = sessions(request).get(request.cookies.get(policy(request).name))
    if session is not None and "lang" in request.query_params:
        session.lang = language(request.query_params["lang"], session.lang)
    return session


def current_or_new(request: Request) -> Session:
    return current(request) or sessions(request).start(
        lang=language(request.query_params.get("lang")))


def keep(response: Response, request: Request, session: Session) -> Response:
    """Hand the browser its session's id (again: the same or a renewed one)."""
    cookie = policy(request)
    response.set_cookie(cookie.name, session.id, path="/", secure=cookie.secure,
                        httponly=True, samesite="strict")
    return response


def forget(response: Response, request: Request) -> Response:
    cookie = policy(request)
    response.delete_cookie(cookie.name, path="/", secure=cookie.secure, httponly=True,
                           samesite="strict")
    return response


def post_is_ours(request: Request, session: Session | None, token: str) -> bool:
    """The post came from one of our pages in this session."""
    if session is None:
        return False
    if request.headers.get("origin") != policy(request).origin:
        return False
    return hmac.compare_digest(token.encode(), session.csrf.encode())
