"""The one-time enrolment page: a password and an authenticator, checked with a code."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from services.console.adapters import links, totp
from services.console.adapters.sessions import Session
from services.console.api.deps import parts
from services.console.application import Enrolment, EnrolmentProblem
from services.console.domain.staff import EnrolmentLinkInvalid, StaffMember
from services.console.web import browser
from services.console.web.rendering import first, posted_fields, render
from services.console.web.texts import TEXTS

router = APIRouter(include_in_schema=False)
ISSUER = "meldingen"
#: What a link that cannot be used answers: gone for good, or never ours.
LINK_STATUS = {"used": 410, "expired": 410, "disabled": 410, "unknown": 404}


def _enrolment(request: Request) -> Enrolment:
    return parts(request).enrolment


def _refused(request: Request, session: Session, refused: EnrolmentLinkInvalid) -> Response:
    return browser.keep(render(request, session, "message.html",
                               status_code=LINK_STATUS.get(refused.state, 404),
                               message=f"link_{refused.state}"), request, session)


def _form(request: Request, session: Session, member: StaffMember, token: str, *,
          status_code: int = 200, errors: dict[str, str] | None = None) -> Response:
    assert session.totp_secret is not None
    uri = totp.provisioning_uri(session.totp_secret, sub=member.sub, issuer=ISSUER)
    # segno draws the SVG from our own URI: nothing in it comes from a request.
    qr = Markup(totp.qr_svg(uri, TEXTS[session.lang]["qr_title"]))
    response = render(request, session, "enrol.html", status_code=status_code,
                      switch=f"/enrol/{token}", member=member, qr=qr,
                      secret=totp.grouped(session.totp_secret), errors=errors or {})
    return browser.keep(response, request, session)


@router.get("/enrol/{token}", response_class=HTMLResponse)
def enrol_page(request: Request, token: str) -> Response:
    session = browser.current_or_new(request)
    try:
        member = _enrolment(request).open(links.parse(token))
    except EnrolmentLinkInvalid as refused:
        return _refused(request, session, refused)
    if session.totp_secret is None:
        session.totp_secret = totp.new_secret()
    return _form(request, session, member, token)


@router.post("/enrol/{token}", response_class=HTMLResponse)
async def enrol(request: Request, token: str) -> Response:
    posted = await posted_fields(request)
    session = browser.current(request)
    if (session is None or session.totp_secret is None
            or not browser.post_is_ours(request, session, first(posted, "csrf"))):
        fresh = browser.current_or_new(request)
        return browser.keep(render(request, fresh, "message.html", status_code=403,
                                   message="form_expired"), request, fresh)
    link = links.parse(token)
    enrolment = _enrolment(request)
    try:
        member = enrolment.open(link)
        enrolment.complete(link, password=first(posted, "password"),
                           totp_secret=session.totp_secret, code=first(posted, "code"))
    except EnrolmentLinkInvalid as refused:
        return _refused(request, session, refused)
    except EnrolmentProblem as problem:
        return _form(request, session, member, token, status_code=422, errors=problem.errors)
    session.totp_secret = None
    return browser.keep(render(request, session, "message.html", message="enrolled",
                               signin_link=True), request, session)
