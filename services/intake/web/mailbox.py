"""The reporter's mailbox pages: enter the receipt code, read the status and messages,
answer. Login, its rate limits and the mailbox token are intake's (`MailboxLogin`); these
pages only translate forms into those calls.

Nothing is kept in the browser: the short-lived mailbox token (not the receipt code)
travels in a hidden field of the reply form, so there is no cookie to steal or forge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from services.intake.adapters.mailbox_login import MailboxLogin, ReceiptRefused, TooManyAttempts
from services.intake.api.deps import Intake, IntakeParts, Login, client_address
from services.intake.application import IntakeApplication
from services.intake.web.rendering import cross_site, form_tokens, posted_fields, render
from services.intake.web.texts import TEXTS, language
from shared.auth import InvalidToken
from shared.errors import InvalidTransition, NotFound
from shared.service import parts_of
from shared.terms import LOCAL

router = APIRouter(prefix="/mailbox", include_in_schema=False)
MAX_BODY = 20_000


@router.get("", response_class=HTMLResponse)
def enter_code(request: Request, lang: str | None = None) -> HTMLResponse:
    """The page where a reporter enters the receipt code."""
    return _login_page(request, language(lang))


@router.post("", response_class=HTMLResponse)
async def open_mailbox(request: Request, intake: Intake, login: Login) -> HTMLResponse:
    """Log in with the receipt code and show the mailbox."""
    posted = await posted_fields(request)
    lang = language(posted.get("lang"))
    messages = TEXTS[lang]["mailbox_error"]
    if cross_site(request) or not form_tokens(request).valid(posted.get("form_token", "")):
        return _login_page(request, lang, notice=messages["form"], status_code=403)
    code = posted.get("receipt", "")
    if not any(ch.isdigit() for ch in code):
        return _login_page(request, lang, errors={"receipt": "receipt"}, status_code=422)
    challenge, solved = posted.get("challenge", ""), posted.get("proof", "")
    proof = (challenge, solved) if challenge and solved else None
    try:
        token = await run_in_threadpool(login.login, code, client_address(request), proof)
    except ReceiptRefused:
        return _login_page(request, lang, errors={"receipt": "receipt"}, status_code=422)
    except TooManyAttempts:
        return _login_page(request, lang, notice=messages["too_many"], status_code=429)
    melding_id = login.tokens.verify(token)
    return await _mailbox_page(request, intake, lang, token, melding_id)


@router.post("/messages", response_class=HTMLResponse)
async def send_message(request: Request, intake: Intake, login: Login) -> HTMLResponse:
    """The reporter's answer or extra information, then the mailbox again."""
    return await _act(request, intake, login, "body", lambda melding_id, body: intake.reply(
        melding_id, body), sent="sent", closed="closed")


@router.post("/record", response_class=HTMLResponse)
async def answer_record(request: Request, intake: Intake, login: Login) -> HTMLResponse:
    """The reporter approves the record (an empty field) or sends corrections to it."""
    posted = await posted_fields(request)
    version = int(posted["version"]) if posted.get("version", "").isdigit() else 0
    approved = posted.get("answer") == "approve"

    def answer(melding_id: UUID, corrections: str) -> object:
        return intake.answer_record(melding_id, version, approved=approved,
                                    corrections=None if approved else corrections)

    return await _act(request, intake, login, "corrections", answer, posted=posted,
                      sent="record_answered", closed="record", optional=approved)


@router.post("/meeting", response_class=HTMLResponse)
async def request_meeting(request: Request, intake: Intake, login: Login) -> HTMLResponse:
    """The reporter asks to meet in person."""
    return await _act(request, intake, login, "meeting",
                      lambda melding_id, _: intake.request_meeting(melding_id),
                      sent="meeting_requested", closed="meeting", optional=True)


@router.post("/identity-consent", response_class=HTMLResponse)
async def identity_consent(request: Request, intake: Intake, login: Login) -> HTMLResponse:
    """A named reporter gives (`given=yes`) or withdraws consent to pass their identity on."""
    posted = await posted_fields(request)
    given = posted.get("given") == "yes"
    return await _act(request, intake, login, "given",
                      lambda melding_id, _: intake.record_identity_consent(melding_id, given),
                      posted=posted, sent="consent_recorded", closed="consent", optional=True)


async def _act(
    request: Request,
    intake: IntakeApplication,
    login: MailboxLogin,
    field: str,
    act: Callable[[UUID, str], object],
    *,
    sent: str,
    closed: str,
    posted: dict[str, str] | None = None,
    optional: bool = False,
) -> HTMLResponse:
    """One of the mailbox's forms: the token and the form token checked, the text in
    `field` (unless `optional`) checked, then `act`, then the mailbox again."""
    posted = posted if posted is not None else await posted_fields(request)
    lang = language(posted.get("lang"))
    messages = TEXTS[lang]["mailbox_error"]
    token = posted.get("mailbox_token", "")
    try:
        melding_id = login.tokens.verify(token)
    except InvalidToken:
        return _login_page(request, lang, notice=messages["session"], status_code=401)
    text = posted.get(field, "").strip()
    values = {field: text}
    page = partial(_mailbox_page, request, intake, lang, token, melding_id)
    if cross_site(request) or not form_tokens(request).valid(posted.get("form_token", "")):
        return await page(values=values, notice=messages["form"], status_code=403)
    if not optional and (not text or len(text) > MAX_BODY):
        return await page(values=values, errors={field: field}, status_code=422)
    try:
        await run_in_threadpool(act, melding_id, text)
    except (InvalidTransition, NotFound):
        return await page(values=values, notice=messages[closed], status_code=409)
    return await page(sent=TEXTS[lang][sent])


def _login_page(
    request: Request,
    lang: str,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    work = parts_of(request.app, IntakeParts).login.proof_of_work
    return render(request, "mailbox_login.html", lang, status_code=status_code,
                  switch="/mailbox", notice=notice, errors=errors or {},
                  challenge=work.challenge())


async def _mailbox_page(
    request: Request,
    intake: IntakeApplication,
    lang: str,
    token: str,
    melding_id: UUID,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    report = await run_in_threadpool(intake.get_report, melding_id)
    files = await run_in_threadpool(parts_of(request.app, IntakeParts).files.attachments,
                                    melding_id)
    latest = report.record_versions[-1] if report.record_versions else None
    record = None if latest is None else {
        **latest, "when": _when(latest["at"], lang), "status": report.record_status}
    shown = [
        {"sender": m["from"], "body": m["body"], "at": m["at"], "when": _when(m["at"], lang),
         "purpose": m.get("purpose")}
        for m in report.messages
    ]
    return render(request, "mailbox.html", lang, status_code=status_code,
                  mailbox_token=token, status=report.status, messages=shown, record=record,
                  meeting_requested=report.meeting_request is not None,
                  named=not report.anonymous, identity_consent=report.identity_consent,
                  attachments=files.files, **context)


def _when(at: datetime, lang: str) -> str:
    local = at.astimezone(LOCAL)
    return local.strftime("%d-%m-%Y %H:%M" if lang == "nl" else "%Y-%m-%d %H:%M")
