"""The notification pages: each person's choice of immediate mails or a daily digest
(`/account/notifications`), and in the development run without SMTP the mails sent
to one's own address (`/account/mail`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.deps import parts
from services.console.domain.staff import StaffMember
from services.console.notifications.domain.mails import short_reference
from services.console.notifications.domain.notices import DELIVERIES
from services.console.notifications.texts import NOTIFICATION_TEXTS
from services.console.web import browser
from services.console.web.access import SignedIn, signed_in
from services.console.web.rendering import first, posted_fields, render
from shared.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def home_summary(request: Request, member: StaffMember, lang: str) -> dict[str, object]:
    """For the home page: the feedback terms one was reminded of and that are still
    open, and how many notices wait for one's digest."""
    board = parts(request).notifier.board
    return {"n": NOTIFICATION_TEXTS[lang],
            "reminders": [(melding, short_reference(melding), day)
                          for melding, day in board.reminders_for(member.sub)],
            "in_digest": len(board.to_gather().get(member.sub, []))}


def _page(request: Request, person: SignedIn, *, status_code: int = 200,
          **context: object) -> Response:
    notifier = parts(request).notifier
    context.setdefault("chosen", notifier.delivery_of(person.member.sub))
    return render(request, person.session, "notifications.html", status_code=status_code,
                  switch="/account/notifications", member=person.member,
                  may_manage=person.may("staff.manage"),
                  n=NOTIFICATION_TEXTS[person.session.lang], deliveries=DELIVERIES,
                  waiting=notifier.board.waiting(),
                  mail_file=parts(request).mail_file is not None, **context)


@router.get("/account/notifications", response_class=HTMLResponse)
def notifications(request: Request) -> Response:
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    return _page(request, person, saved="saved" in request.query_params)


@router.post("/account/notifications", response_class=HTMLResponse)
async def choose(request: Request) -> Response:
    posted = await posted_fields(request)
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return render(request, person.session, "message.html", status_code=403,
                      message="form_expired", member=person.member)
    delivery = first(posted, "delivery")
    try:
        parts(request).notifier.choose_delivery(person.member.sub, delivery)
    except InvalidInput:
        return _page(request, person, status_code=422, chosen=None,
                     errors={"delivery": "delivery_error"})
    return RedirectResponse("/account/notifications?saved=1", 303)


@router.get("/account/mail", response_class=HTMLResponse)
def mail(request: Request) -> Response:
    """Only the signed-in person's own mail: who is told what is not for others."""
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    mail_file = parts(request).mail_file
    if mail_file is None:  # mail goes out by SMTP: nothing kept to show
        return RedirectResponse("/account/notifications", 303)
    return render(request, person.session, "sent_mail.html", switch="/account/mail",
                  member=person.member, may_manage=person.may("staff.manage"),
                  n=NOTIFICATION_TEXTS[person.session.lang],
                  mails=mail_file.read(person.member.email))
